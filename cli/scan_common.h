/*
 * scan_common.h — what every `phiwall scan` source (HAR files here, the browser in scan_live.c)
 * shares once it has a pw_scan_result: the output options, rendering, writing and the exit code.
 * Also the shared loaders for --canary files and the pipeline objects (catalog, detector).
 */
#ifndef PHIWALL_CLI_SCAN_COMMON_H
#define PHIWALL_CLI_SCAN_COMMON_H

#include "phiwall/assess.h"
#include "phiwall/report.h"
#include "scan_gaps.h"

typedef struct pw_cli_scan_out {
    pw_report_format format; /* default PW_REPORT_TEXT */
    const char *output;      /* file to write, or NULL / "-" for stdout */
    int fail_on;             /* a pw_severity, or -1: never exit 1 */
    int allow_incomplete;    /* --allow-incomplete: an incomplete scan exits 0, not 4 */
    pw_baseline *baseline;   /* --baseline: owned, pw_cli_scan_out_free */
    int format_given;        /* --format was given (else -o FILE's extension may pick it) */
} pw_cli_scan_out;

#define PW_CLI_SCAN_OUT_INIT                 \
    {                                        \
        PW_REPORT_TEXT, NULL, -1, 0, NULL, 0 \
    }

/* Parse --format / --fail-on values; print a usage error and return PW_EXIT_USAGE when bad,
 * else 0. */
int pw_cli_scan_set_format(pw_cli_scan_out *o, const char *value);
int pw_cli_scan_set_fail_on(pw_cli_scan_out *o, const char *value);
/* Without --format, -o FILE's extension picks it: .html/.htm, .json, .sarif (.sarif.json). A
 * report.html of terminal text, or a report.json CI cannot parse, is what `-o report.html`
 * alone gave. Call once the options are parsed. */
void pw_cli_scan_format_from_output(pw_cli_scan_out *o);
/* --baseline FILE: read and check the earlier JSON report now, before a scan that can take
 * minutes; 0, or the exit code after printing why (usage: given twice or '-'; runtime: the file
 * cannot be read or is no phiwall JSON report). */
int pw_cli_scan_set_baseline(pw_cli_scan_out *o, const char *path);
/* An earlier JSON report read from path (errors name it): --baseline and --baseline-dir. */
pw_status pw_cli_read_baseline(const char *path, pw_baseline **out, pw_err *err);
void pw_cli_scan_out_free(pw_cli_scan_out *o);
#define PW_CLI_BASELINE_USAGE                                                                \
    "  --baseline FILE      an earlier JSON report (--format json) of the same site: mark\n" \
    "                       findings new or unchanged, list those gone; --fail-on then\n"    \
    "                       counts only new findings (and ones whose severity rose)\n"

/* The comparison's counts, for a caller that records them (the .summary of `scan --sites`);
 * -1 each without a baseline. */
typedef struct pw_cli_compared {
    long n_new, n_gone, n_unchecked;
} pw_cli_compared;

/* Render r as o asks (compared with o->baseline when there is one; its counts into *cmp when
 * cmp is not NULL), write it, and return the exit code: PW_EXIT_FINDINGS when a finding is at or
 * above o->fail_on (with a baseline: a new one, or one whose severity rose), else
 * PW_EXIT_INCOMPLETE when r has gaps (unless o->allow_incomplete; the gaps are also summed up on
 * stderr), PW_EXIT_CLEAN otherwise, PW_EXIT_RUNTIME when writing fails. */
int pw_cli_scan_finish(const pw_scan_result *r, const pw_cli_scan_out *o, pw_cli_compared *cmp);

/* Of two scans' exit codes, the one to report: a runtime error, then findings, then an
 * incomplete scan (4 is not "worse" than 1 or 3), then clean. */
int pw_cli_scan_worse(int a, int b);

/* --baa ID (repeatable): trackers whose vendor the site holds a BAA with (pw_assess_opts). */
#define PW_CLI_MAX_BAA 64
typedef struct pw_cli_baa {
    const char *ids[PW_CLI_MAX_BAA];
    size_t n;
} pw_cli_baa;
int pw_cli_scan_add_baa(pw_cli_baa *b, const char *id); /* 0, or the usage error's exit code */
#define PW_CLI_BAA_USAGE                                                                        \
    "  --baa ID             the site holds a signed BAA with this tracker's vendor (an id of\n" \
    "                       `phiwall trackers`; repeatable): its findings are capped at low\n"

/* The scan pipeline's long-lived objects from the common options. */
typedef struct pw_cli_pipeline {
    pw_catalog *catalog;
    pw_detector *detector;
    pw_assessor *assessor;
    pw_arena arena;   /* canaries */
    pw_cli_gaps gaps; /* what the capture could not observe (scan_gaps.h) */
} pw_cli_pipeline;

/* catalog: --trackers and the filter-list choices (catalog_opts.h); NULL = the defaults. */
pw_status pw_cli_pipeline_open(pw_cli_pipeline *p, const pw_catalog_options *catalog,
                               const char *vocab_file, const char *canary_file,
                               const pw_cli_baa *baa, pw_err *err);
/* The catalog, detector and assessor of an opened pipeline (p zeroed, its arena initialised,
 * holding the canaries dopts points at); closes the pipeline on failure. */
pw_status pw_cli_pipeline_build(pw_cli_pipeline *p, const pw_catalog_options *catalog,
                                const pw_detector_opts *dopts, const pw_cli_baa *baa, pw_err *err);
void pw_cli_pipeline_close(pw_cli_pipeline *p);

/* A capture sink feeding the pipeline's assessor (and checking failed requests for gaps); the
 * capture's own gaps go to p->gaps. */
pw_capture_sink pw_cli_pipeline_sink(pw_cli_pipeline *p);

#endif
