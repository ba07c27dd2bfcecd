/*
 * report_gaps.h — (internal to report) rendering an incomplete scan's gaps in each format
 * (report_gaps.c); pw_report_incomplete_headline is public (report.h).
 */
#ifndef PHIWALL_REPORT_GAPS_H
#define PHIWALL_REPORT_GAPS_H

#include "phiwall/report.h"
#include "report/json_writer.h"

/* "script connect.facebook.net/en_US/fbevents.js (Meta Pixel): net::ERR_… — on PAGE, PAGE,
 * PAGE and 5 more pages (9 times)": at most max_pages of the pages it happened on named, the
 * others counted. */
void pw_report_gap_line(pw_buf *b, const pw_capture_gap *g, size_t max_pages);
/* text: "INCOMPLETE: …" and one line per gap (nothing when complete). */
void pw_report_incomplete_text(pw_buf *b, const pw_scan_result *r, int color);
/* html: the banner (nothing when complete). */
void pw_report_incomplete_html(pw_buf *b, const pw_scan_result *r);
/* json: "complete" and "incomplete_reasons" (always written). */
void pw_report_incomplete_json(pw_jw *w, const pw_scan_result *r);
/* sarif: run.invocations[0] with executionSuccessful and one notification per gap. */
void pw_report_incomplete_sarif(pw_jw *w, const pw_scan_result *r);

#endif
