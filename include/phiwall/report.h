/*
 * report.h — the report stage: renders a pw_scan_result. It computes nothing new; one file per
 * format behind one table (text, json, sarif, html).
 */
#ifndef PHIWALL_REPORT_H
#define PHIWALL_REPORT_H

#include "phiwall/assess.h"
#include "phiwall/baseline.h"
#include "phiwall/buf.h"
#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_report_format {
    PW_REPORT_TEXT = 0,
    PW_REPORT_JSON,
    PW_REPORT_SARIF,
    PW_REPORT_HTML
} pw_report_format;

int pw_report_format_parse(const char *s, pw_report_format *out); /* 0 ok, -1 unknown */

typedef struct pw_report_opts {
    int color; /* ANSI colour in text output */
    const char *tool_version;
    /* An earlier scan this one is compared with (NULL: none): each format marks findings new or
     * unchanged and lists what is gone (docs/report-formats.md, "Comparing with a baseline"). */
    const pw_baseline_diff *baseline;
} pw_report_opts;

/* The gaps that make r incomplete (exit 4): every gap but a page that answered an HTTP error
 * (PW_GAP_ERROR_PAGE, reported on its own: it counts for a baseline, not for completeness). */
size_t pw_report_incomplete_count(const pw_scan_result *r);

/* The gaps of an incomplete result in one line (appended; nothing when none makes it so):
 * "3 tracker scripts failed to load (connect.facebook.net/en_US/fbevents.js:
 * net::ERR_NAME_NOT_RESOLVED), 1 page did not load or timed out (URL: error)". */
void pw_report_incomplete_headline(const pw_scan_result *r, pw_buf *out);

/* Append s[0..n) for a terminal: valid UTF-8 is copied, but what a terminal would act on or
 * what would redraw the report is shown as an escape instead: C0 controls and DEL (\n, \r,
 * \t, \x1b…), C1 controls (\u009b), bidirectional overrides and isolates (\u202e: they
 * reorder what is displayed), and bytes that are not UTF-8 (\xff). Scanned sites choose page
 * titles, URLs and event values: printed raw, an ESC or CR could hide or forge report lines. */
void pw_report_text_safe(pw_buf *out, const char *s, size_t n);

/* s[0..n) HTML-escaped (&<>"') for text and attribute values, and valid UTF-8 whatever the
 * site sent: a byte that is no UTF-8, a C0 control other than tab, CR and LF, DEL, a C1 control
 * and a bidirectional embedding, override or isolate (U+202A-E, U+2066-9: they make a URL or
 * an account read otherwise than it is) each become U+FFFD, as in the text report they become
 * escapes. Appended to b: the HTML report's escape, and the --sites summary's. */
void pw_report_html_text(pw_buf *b, const char *s, size_t n);

/* Render into out (appended). */
pw_status pw_report_render(const pw_scan_result *r, pw_report_format fmt,
                           const pw_report_opts *opts, pw_buf *out, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
