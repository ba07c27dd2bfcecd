/*
 * browser.h — capture from a live website in a real browser: Debian's Chromium, headless, driven
 * over the DevTools protocol through --remote-debugging-pipe. pw_browser_scan crawls a site
 * (same-site links, sitemap.xml, robots.txt, care-intent pages first), interacts with each page
 * (scroll, fill forms with a canary identity, click care controls, submit, site search), answers
 * tracker beacons locally (containment) and delivers every request of every frame, with its body
 * and the step that caused it, to a pw_capture_sink. Also the HAR 1.2 writer for --har-out.
 *
 * The capture stage comes before decode, so tracker and site knowledge arrive through hooks that
 * the program wires to the decode stage (pw_catalog_match, pw_registrable_domain).
 */
#ifndef PHIWALL_BROWSER_H
#define PHIWALL_BROWSER_H

#include <signal.h>
#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_consent_mode {
    PW_CONSENT_NONE = 0, /* leave banners alone */
    PW_CONSENT_ACCEPT,
    PW_CONSENT_REJECT
} pw_consent_mode;

int pw_consent_mode_parse(const char *s, pw_consent_mode *out); /* 0 ok, -1 unknown */

typedef enum pw_device { PW_DEVICE_DESKTOP = 0, PW_DEVICE_MOBILE } pw_device;

int pw_device_parse(const char *s, pw_device *out); /* 0 ok, -1 unknown */

/* The canary identity typed into forms: one per scan, unique so that any occurrence in a
 * request proves the leak. Strings are owned by whoever filled the struct. */
typedef struct pw_browser_identity {
    const char *first_name, *last_name, *email, *phone, *dob; /* dob "1984-03-17" */
    const char *address, *city, *state, *zip, *member_id, *gender;
    const char *reason;      /* free-text reason for a visit, with a condition term */
    const char *search_term; /* a condition term for the site search */
} pw_browser_identity;

/* A fresh identity whose values carry `tag` (e.g. 6 random hex digits) so they are unique. */
void pw_browser_identity_make(pw_arena *a, const char *tag, pw_browser_identity *out);

/* Serve requests for a real host from a local URL prefix (demo and staging sites). */
typedef struct pw_host_map {
    const char *host;   /* "connect.facebook.net" */
    const char *prefix; /* "http://127.0.0.1:8080/vendor/connect.facebook.net" */
} pw_host_map;

/* Parse "HOST=URLPREFIX" into the arena. */
pw_status pw_host_map_parse(pw_arena *a, const char *spec, pw_host_map *out, pw_err *err);

typedef struct pw_cookie {
    const char *name;
    const char *value;
    const char *domain; /* NULL: the start URL's host */
    const char *path;   /* NULL: "/" */
} pw_cookie;

/* Read cookies from a Netscape cookies.txt file or NAME=VALUE lines (arena-allocated). */
pw_status pw_cookies_read_file(pw_arena *a, const char *path, pw_cookie **out, size_t *n_out,
                               pw_err *err);

/* What a progress display shows. */
typedef struct pw_browser_progress {
    size_t pages_done, pages_queued, requests, contained, restarts;
    const char *current_url;
} pw_browser_progress;

typedef struct pw_browser_hooks {
    /* 1 if `url`, requested by a page at page_url as `resource_type` ("Script", "Image", "Ping",
     * "XHR", "Document", …, DevTools names), is a tracker endpoint that containment answers
     * locally. NULL: nothing is contained. */
    int (*is_tracker_endpoint)(void *ctx, const char *page_url, const char *url,
                               const char *resource_type);
    /* Site key of a host for same-site crawling (the registrable domain), in the arena; NULL
     * hook or result: the host itself. */
    char *(*site_of)(void *ctx, pw_arena *a, const char *host);
    /* --verbose: one line of protocol traffic or one event of the scan. NULL: quiet. */
    void (*log)(void *ctx, const char *line);
    /* Called after each page and now and then while waiting. */
    void (*progress)(void *ctx, const pw_browser_progress *p);
    void *ctx;
    /* A page that could not be scanned, or scanned only in part (navigation error, crash, no
     * load event within the timeout): what it would have sent was not observed. Failed
     * requests (a tracker script that did not load) reach the sink with pw_request.error or
     * their HTTP status instead. NULL: not reported. */
    void (*gap)(void *ctx, const pw_capture_gap *gap);
} pw_browser_hooks;

/* A stop the caller asks for from outside the crawl (the CLI's SIGINT/SIGTERM handler: the
 * library installs no handlers). requested is read between pages: nonzero finishes no more
 * pages, stops the browser, removes its profile and returns PW_OK with stats.interrupted set,
 * what was captured delivered. profile_dir is written by the library: the running browser's
 * profile directory ("" when none; the first byte is written last) and browser_pgid, for a
 * caller that must kill it and remove the profile without waiting for the library (a second
 * signal); the profile holds phiwall.pid, the pid
 * of the process that made it, so that one left by a killed process is removed at a later
 * launch. */
typedef struct pw_browser_stop {
    volatile sig_atomic_t requested;
    volatile char profile_dir[512];
    volatile sig_atomic_t browser_pgid; /* the running browser's process group, or 0 */
} pw_browser_stop;

typedef struct pw_browser_opts {
    const char *browser_path;        /* NULL: /usr/bin/chromium */
    const char *const *browser_args; /* passed to Chromium as is */
    size_t n_browser_args;
    int contain; /* answer tracker endpoints locally (default on) */
    const pw_host_map *host_maps;
    size_t n_host_maps;
    size_t max_pages; /* 0: 50 */
    int max_depth;    /* <0: unlimited; 0: the start page only */
    int jobs;         /* tabs in parallel; 0: 1 */
    int ignore_robots;
    int delay_ms;   /* polite delay between page loads per tab */
    int timeout_ms; /* page load timeout; 0: 20000 */
    int settle_ms;  /* least wait after load and each step, then until the network is quiet
                     * (at most max(4 × settle_ms, 5 s); docs/scan-browser.md); 0: 1000 */
    pw_device device;
    pw_consent_mode consent;
    int interact;                        /* scroll, fill, click, submit, search (default on) */
    const pw_browser_identity *identity; /* canaries typed into forms (required if interact) */
    const pw_cookie *cookies;
    size_t n_cookies;
    const char *login_url; /* form login before the crawl (with username and password) */
    const char *username;
    const char *password;
    const char *screenshot_dir; /* PNG per page; NULL: no screenshots */
    int follow_sitemap;         /* read /sitemap.xml (default on) */
    pw_browser_hooks hooks;
    pw_browser_stop *stop; /* NULL: runs to the end */
} pw_browser_opts;

/* Defaults: contain, interact, sitemap on; the rest zero. */
void pw_browser_opts_init(pw_browser_opts *o);

typedef struct pw_browser_stats {
    size_t pages;        /* pages visited */
    size_t pages_failed; /* load failed or timed out */
    size_t requests;     /* requests delivered to the sink */
    size_t contained;    /* answered locally by containment */
    size_t mapped;       /* served from a --map-host prefix */
    size_t browser_restarts;
    int login_ok;        /* 1 after a successful --login */
    int login_submitted; /* --login found a password field in the page and submitted its form */
    size_t pages_gaps;   /* pages reported through hooks.gap */
    int interrupted;     /* stopped early by opts.stop: the crawl did not finish */
} pw_browser_stats;

/*
 * Crawl and capture start_url. Pages and requests go to `sink` as they complete; a sink error
 * stops the scan. A page that fails (navigation error, crash) is counted and skipped (nothing of
 * it reaches the sink); a browser that dies or hangs is killed and restarted for the next page.
 * When no page could be scanned (the start URL failed: DNS, refused, HTTP error on its document),
 * returns PW_ERR_IO naming the URL and the reason. Returns PW_ERR_NOTFOUND when the browser
 * binary is missing (callers fall back to the static scan).
 */
pw_status pw_browser_scan(const char *start_url, const pw_browser_opts *opts,
                          const pw_capture_sink *sink, pw_browser_stats *stats, pw_err *err);

/* 1 if a browser binary is usable at path (NULL: /usr/bin/chromium). */
int pw_browser_available(const char *path);

/* ---- HAR 1.2 writer (--har-out) ----------------------------------------------------------- */

typedef struct pw_har_writer pw_har_writer;

/* The HAR appears whole or not at all: it is written beside path (a hidden temporary file) and
 * renamed over path by a successful close; until then an older file at path is untouched. */
pw_status pw_har_writer_open(const char *path, const char *creator_version, pw_har_writer **out,
                             pw_err *err);
pw_status pw_har_writer_add_page(pw_har_writer *w, const pw_page *page, pw_err *err);
pw_status pw_har_writer_add_request(pw_har_writer *w, const pw_request *req, pw_err *err);
/* Record what the capture could not observe (a page that did not load, a failed login, no
 * browser): written in log._phiwall.gaps, which `scan --har` reads back as the same gaps. Gaps
 * of failed requests need no record: the entry's _error says it. */
pw_status pw_har_writer_add_gap(pw_har_writer *w, const pw_capture_gap *gap, pw_err *err);
/* Finish the file, put it in place and free the writer. On an error (a write, the disk) the
 * temporary file is removed and an older file at path stays as it was. */
pw_status pw_har_writer_close(pw_har_writer *w, pw_err *err);
/* Give up: free the writer and remove its temporary file; an older file at path stays as it
 * was. For a capture whose HAR must not replace the last one. NULL is a no-op. */
void pw_har_writer_abort(pw_har_writer *w);

/* A sink that writes to `w` and then forwards to `next` (may be NULL); gaps too. */
typedef struct pw_har_tee {
    pw_har_writer *writer;
    const pw_capture_sink *next;
} pw_har_tee;
pw_capture_sink pw_har_tee_sink(pw_har_tee *tee);

#ifdef __cplusplus
}
#endif
#endif
