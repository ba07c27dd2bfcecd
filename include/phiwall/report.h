/*
 * report.h — the report stage: renders a pw_scan_result. It computes nothing new; one file per
 * format behind one table (text, json, sarif, html).
 */
#ifndef PHIWALL_REPORT_H
#define PHIWALL_REPORT_H

#include "phiwall/assess.h"
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
} pw_report_opts;

/* Render into out (appended). */
pw_status pw_report_render(const pw_scan_result *r, pw_report_format fmt,
                           const pw_report_opts *opts, pw_buf *out, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
