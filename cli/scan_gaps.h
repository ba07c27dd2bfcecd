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

typedef struct pw_cli_gaps {
    pw_arena arena; /* the gaps' strings */
    pw_capture_gap *v;
    size_t n, cap;
    size_t dropped;
    const pw_catalog *catalog;
} pw_cli_gaps;

void pw_cli_gaps_init(pw_cli_gaps *g, const pw_catalog *catalog);
void pw_cli_gaps_free(pw_cli_gaps *g);

/* Record a gap (copied). The same kind, URL and error again counts one more page. */
void pw_cli_gaps_add(pw_cli_gaps *g, const pw_capture_gap *gap);

/* Record a gap when `r` failed (error, HTTP status 400 or more, or no response) and was a
 * tracker's script or frame (catalog, EasyPrivacy, EasyList; consent managers and embeds aside),
 * or a HAR's top-level document. A failed beacon is no gap: what it sent was captured. */
void pw_cli_gaps_check_request(pw_cli_gaps *g, const pw_request *r);

/* r with the gaps attached (a shallow copy; valid while both live). */
pw_scan_result pw_cli_gaps_attach(const pw_scan_result *r, const pw_cli_gaps *g);

#endif
