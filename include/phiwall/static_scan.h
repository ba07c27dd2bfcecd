/*
 * static_scan.h — capture without a browser: fetch pages over HTTP (libcurl) and read their HTML
 * (libgumbo) for tracker script tags, pixel and tag IDs, fbq('init', ID, {advanced matching})
 * arguments, autoConfig settings and <noscript> beacons. Each finding is delivered as a
 * pw_request with source PW_SOURCE_STATIC: inferred from HTML, NOT observed traffic. Fast triage,
 * and the fallback when no browser is installed.
 */
#ifndef PHIWALL_STATIC_SCAN_H
#define PHIWALL_STATIC_SCAN_H

#include <signal.h>
#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_static_opts {
    size_t max_pages; /* 0: 20 */
    int max_depth;    /* <0: unlimited */
    int timeout_ms;   /* per page; 0: 15000 */
    size_t max_bytes; /* per page; 0: 8 MiB */
    int ignore_robots;
    /* Site key of a host (registrable domain) for same-site links; NULL: the host itself. */
    char *(*site_of)(void *ctx, pw_arena *a, const char *host);
    void *ctx;
    /* A stop the caller asks for from outside (the CLI's SIGINT/SIGTERM handler: the library
     * installs none), read between pages: nonzero starts no more pages, the page being read is
     * finished, and the scan returns PW_OK with stats.interrupted set. NULL: runs to the end. */
    const volatile sig_atomic_t *stop;
} pw_static_opts;

typedef struct pw_static_stats {
    size_t pages, pages_failed, requests;
    int interrupted;  /* stopped early by opts.stop: pages were left unread */
    size_t unvisited; /* the page limit ended the crawl with these same-site URLs found, unread */
} pw_static_stats;

/* Fetch start_url and same-site pages (care-intent links first), extracting from each. */
pw_status pw_static_scan(const char *start_url, const pw_static_opts *opts,
                         const pw_capture_sink *sink, pw_static_stats *stats, pw_err *err);

/* Extract from one HTML document (untrusted bytes, any size). Delivers the page and its
 * inferred requests to the sink; links found (absolute, fragment-free) go to on_link if set. */
typedef void (*pw_static_link_fn)(void *ctx, const char *url, const char *text);
pw_status pw_static_extract(const char *page_url, const char *html, size_t n,
                            const pw_capture_sink *sink, pw_static_link_fn on_link, void *link_ctx,
                            pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
