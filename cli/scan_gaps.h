/*
 * scan_gaps.h — what a `phiwall scan` could not observe (pw_capture_gap, request.h): tracker
 * scripts and frames that failed to load, found among the captured requests with the tracker
 * catalog, plus the failed pages, login and missing browser the capture reports. Any gap makes
 * the result incomplete: the report says so, and the scan exits PW_EXIT_INCOMPLETE unless
 * --allow-incomplete (docs/scan-browser.md "Incomplete scans").
 */
#ifndef PHIWALL_CLI_SCAN_GAPS_H
#define PHIWALL_CLI_SCAN_GAPS_H

#include "phiwall/assess.h"
#include "phiwall/decode.h"

/* Distinct gaps kept; more are counted in `dropped` only. */
#define PW_CLI_GAPS_MAX 1000
/* Distinct pages listed per script or frame gap (pw_capture_gap.page_urls); more set
 * more_pages. */
#define PW_CLI_GAP_PAGES 32

typedef struct pw_cli_gaps {
    pw_arena arena; /* the gaps' strings */
    pw_capture_gap *v;
    /* parallel to v: the pages past a gap's list, as sorted hashes of their page keys (so that
     * n_more_pages counts each page once without keeping its URL), and whether some are not
     * known (a recorded gap's count, no memory) */
    struct pw_cli_more {
        unsigned long long *hash;
        size_t n, cap;
        int unknown;
        size_t recorded; /* pages past the list a recorded gap counted (its morePageCount) */
    } * more;
    size_t n, cap;
    size_t dropped;
    const pw_catalog *catalog;
    /* Recent redirects of pages' own documents (url → where it sent the browser, page), so
     * that a failed document at the end of the chain is known for the page's (HAR). */
    struct pw_cli_hop {
        const char *page_url, *to;
    } hops[8];
    size_t next_hop;
} pw_cli_gaps;

void pw_cli_gaps_init(pw_cli_gaps *g, const pw_catalog *catalog);
void pw_cli_gaps_free(pw_cli_gaps *g);

/* Record a gap (copied). The same kind, URL and error again counts one more page, and adds
 * its page to the gap's page_urls (up to PW_CLI_GAP_PAGES; past them more_pages, counted in
 * n_more_pages). */
void pw_cli_gaps_add(pw_cli_gaps *g, const pw_capture_gap *gap);

/* Record a gap when `r` failed (error, HTTP status 400 or more, or no response) and was a
 * tracker's script or frame (catalog, EasyPrivacy, EasyList; consent managers, embeds and a
 * catalog entry's data files aside), or a HAR's top-level document — the page's own URL, or
 * where its redirects led (a page gap named by the page's URL; an error page's status is one
 * too, "page answered HTTP 404"). A failed beacon is no gap: what it sent was captured. */
void pw_cli_gaps_check_request(pw_cli_gaps *g, const pw_request *r);

/* r with the gaps attached (a shallow copy; valid while both live). */
pw_scan_result pw_cli_gaps_attach(const pw_scan_result *r, const pw_cli_gaps *g);

#endif
