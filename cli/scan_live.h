/*
 * scan_live.h — the live-site side of `phiwall scan` (URLs rather than HAR files): options shared
 * by the single-site scan (scan_live.c) and the many-sites mode (scan_sites.c).
 */
#ifndef PHIWALL_CLI_SCAN_LIVE_H
#define PHIWALL_CLI_SCAN_LIVE_H

#include <stdio.h>

#include "phiwall/browser.h"
#include "phiwall/static_scan.h"
#include "scan_common.h"

#define PW_LIVE_MAX_LIST 64

/* 1 if arg ("--name" or "--name=value") is an option of the live-site scan. */
int pw_cli_scan_live_has_option(const char *arg);

typedef struct pw_live_args {
    const char *urls[PW_LIVE_MAX_LIST];
    size_t n_urls;
    pw_cli_scan_out out;
    int format_set;
    pw_catalog_options catalog; /* --trackers, --easyprivacy, --easylist … (catalog_opts.h) */
    const char *vocab, *canary_file;
    pw_cli_baa baa; /* --baa */
    pw_browser_opts bo;
    const char *browser_args[PW_LIVE_MAX_LIST];
    pw_host_map maps[PW_LIVE_MAX_LIST];
    pw_cookie cookies[PW_LIVE_MAX_LIST];
    const char *cookies_file, *password_file;
    const char *har_out, *screenshots;
    const char *sites_file, *out_dir;
    const char *baseline_dir; /* --baseline-dir: an earlier --sites run's --out DIR (json) */
    const char *canary_tag;
    const char *canary_out; /* --canary-out: the identity typed, in --canary format */
    int static_only;
    int verbose;
    int progress;
    int interrupted_by; /* SIGINT or SIGTERM stopped a scan (scan_signal.h): no more sites */
    pw_arena arena;
} pw_live_args;

/* One site end to end: capture (browser, or static as asked or as fallback), assess, render to
 * a->out. Fills *max_sev (or -1) and the counts when not NULL. Returns an exit code. */
typedef struct pw_live_summary {
    size_t pages, requests, findings;
    size_t by_sev[5];
    int max_sev;
    const char *source;
    char error[512];      /* why the scan failed (exit 3), or "" */
    size_t gaps;          /* what was not observed (exit 4 unless --allow-incomplete) */
    char incomplete[512]; /* the gaps in one line (pw_report_incomplete_headline), or "" */
    long n_new, n_gone, n_unchecked; /* against the site's baseline; -1 without one */
} pw_live_summary;

int pw_live_scan_site(pw_live_args *a, const char *url, const pw_cli_scan_out *out,
                      pw_live_summary *sum);

/* `phiwall scan URL --help` text (cmd_scan.c may print it after the HAR usage). */
/* `phiwall scan URL…` (argv[0] is "scan"): the browser or static scan. */
int pw_cli_scan_live(int argc, char **argv);
void pw_cli_scan_live_usage(FILE *f);

/* --sites FILE --out DIR */
int pw_live_scan_sites(pw_live_args *a);

#endif
