/*
 * request.h — the capture stage's output: one observed HTTP request (pw_request) and the page it
 * belongs to (pw_page). Every source (browser, HAR, static) produces these, and every later stage
 * (decode, detect, assess, report) reads only these.
 *
 * Strings are NUL-terminated and owned by whoever filled the struct (normally the capture
 * source's per-page or per-entry arena); body bytes are not NUL-terminated and may hold NULs.
 */
#ifndef PHIWALL_REQUEST_H
#define PHIWALL_REQUEST_H

#include <stddef.h>

#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the scanner was doing when the request went out. */
typedef enum pw_step {
    PW_STEP_UNKNOWN = 0, /* HAR files and static scans do not know */
    PW_STEP_LOAD,
    PW_STEP_SCROLL,
    PW_STEP_FILL,
    PW_STEP_CLICK,
    PW_STEP_SUBMIT,
    PW_STEP__COUNT
} pw_step;

const char *pw_step_name(pw_step s); /* "load", "click", … */

/* Where the request was seen. */
typedef enum pw_source {
    PW_SOURCE_HAR = 0,
    PW_SOURCE_BROWSER,
    PW_SOURCE_STATIC, /* inferred from HTML, not observed traffic */
    PW_SOURCE_GATEWAY
} pw_source;

typedef struct pw_header {
    const char *name;
    const char *value;
} pw_header;

typedef struct pw_request {
    const char *method;       /* "GET", "POST", … */
    const char *url;          /* absolute URL as sent */
    const pw_header *headers; /* request headers (may include Cookie, Referer) */
    size_t n_headers;
    const unsigned char *body; /* POST body bytes, decoded from base64 if the source had it so */
    size_t body_len;
    const char *content_type; /* request Content-Type or NULL */
    const char *page_url;     /* top-level document the request belongs to, or NULL */
    const char *frame_url;    /* document of the frame that sent it, or NULL */
    const char
        *resource_type;    /* "script", "image", "xhr", "fetch", "ping", "document", … or NULL */
    const char *initiator; /* script URL or "parser", or NULL */
    double timestamp;      /* seconds since the epoch; 0 if unknown */
    int status;            /* response status; 0 if none or unknown */
    pw_step step;
    pw_source source;
    int before_consent; /* 1 if sent before the visitor answered a consent banner */
    int after_reject;   /* 1 if sent after the visitor rejected tracking */
    const char *error;  /* why it failed: "net::ERR_NAME_NOT_RESOLVED", "net::ERR_ABORTED",
                         * "blocked: csp" (browser, HAR `_error`); NULL when it did not fail or
                         * the source does not say */
    int visit_retried;  /* its page visit was cut short by a browser crash or hang and made
                         * again after the restart: what it sent was sent, but a missing answer
                         * is no capture gap (the visit again saw it) */
    /* where a 3xx answer sent the browser (HAR redirectURL), or NULL */
    const char *redirect_url;
} pw_request;

/* A top-level page visit; requests point at it through page_url. */
typedef struct pw_page {
    const char *url;
    const char *title;          /* NULL if unknown */
    const char *screenshot_png; /* path of a PNG screenshot, or NULL */
    int has_session_cookie;     /* a session/auth cookie was present when it loaded */
    int has_login_form;         /* a password field was on the page */
    int after_login;            /* reached after a successful login in this scan */
    double timestamp;
} pw_page;

/* What a capture could not observe (docs/scan-browser.md "Incomplete scans"): a tracker's script
 * or frame that did not load (what it would have sent was never seen), a page of the site that
 * did not load or did not finish loading, a login that failed, no browser at all. A result with
 * any gap is incomplete: never a clean bill of health. */
typedef enum pw_gap_kind {
    PW_GAP_SCRIPT = 0, /* a tracker's script (tag, pixel, tag manager) failed to load */
    PW_GAP_FRAME,      /* a tracker's iframe document failed to load */
    PW_GAP_PAGE,       /* a page of the site failed to load or timed out */
    PW_GAP_LOGIN,      /* --login failed: the logged-in area was not scanned */
    PW_GAP_BROWSER,    /* no browser ran: HTML read instead of traffic observed */
    /* a page of the site answered an HTTP error (>= 400): its error page loaded and what its
     * trackers sent is kept, but the page the site meant was not seen. It counts for a baseline
     * (a rescan does not call that page's findings fixed) but not for completeness: a broken
     * link is the site's to fix, not a capture that failed (pw_gap_makes_incomplete) */
    PW_GAP_ERROR_PAGE,
    PW_GAP_INTERRUPTED, /* the scan was stopped (SIGINT/SIGTERM) before it visited every page */
    /* Notes (pw_gap_is_note): what the scan did not do, said in every report, which does not by
     * itself make the result incomplete. The page budget (--max-pages) ran out with same-site
     * URLs found and not visited (error: how many); --consent accept|reject found no banner
     * button to press on any page (the scan saw a visitor who never answered). */
    PW_GAP_BUDGET,
    PW_GAP_CONSENT,
    /* (a note too) a tag manager loaded: tags it injects later than the settle waited for
     * (--settle) were not observed */
    PW_GAP_SETTLE,
    /* the crawl could not go past the start page (robots.txt disallows the rest of the site, the
     * start URL redirected to another site): the site was not scanned, only its start page */
    PW_GAP_COVERAGE,
    PW_GAP__COUNT
} pw_gap_kind;

/* "script", "frame", "page", "login", "browser", "error-page", "interrupted", "budget",
 * "consent", "settle", "coverage" */
const char *pw_gap_kind_name(pw_gap_kind k);
/* 1 when a gap of kind k makes a result incomplete (exit 4): every kind but an error page and
 * the notes. */
int pw_gap_makes_incomplete(pw_gap_kind k);
/* 1 when a gap of kind k is a note (budget, consent, settle): reported apart from error pages. */
int pw_gap_is_note(pw_gap_kind k);
/* The kind a name stands for (the inverse of pw_gap_kind_name); -1 for an unknown name. */
int pw_gap_kind_parse(const char *name, pw_gap_kind *out);
/* The error of an error-page gap (its document answered an HTTP error, status >= 400), in buf:
 * "page answered HTTP 404". Every capture names it so (browser, HAR), so that a page's gap is
 * the same whichever recorded it. */
const char *pw_gap_page_status(int status, char *buf, size_t cap);

typedef struct pw_capture_gap {
    pw_gap_kind kind;
    const char *url;        /* what did not load (script, frame, page, login URL) */
    const char *page_url;   /* the (first) page it failed on; NULL for pages and the scan */
    const char *error;      /* "net::ERR_NAME_NOT_RESOLVED", "HTTP 404", "no load event in 20 s" */
    const char *tracker_id; /* catalog id ("meta-pixel") of a script or frame, or NULL */
    const char *tracker;    /* its product name ("Meta Pixel"), or NULL */
    size_t pages;           /* times it happened, over all pages (0 is read as 1) */
    /* Every page a script or frame gap happened on, distinct by page key (page_url first), as
     * far as known: a tag manager that failed on every page hides the tags it loads on each of
     * them. n_page_urls 0 means page_url alone; more_pages is 1 when it happened on pages not
     * listed (the list is bounded, or a recorded gap counted pages it did not name), and
     * n_more_pages says on how many (distinct by page key) when all of them are known, 0 when
     * that is unknown. */
    const char *const *page_urls;
    size_t n_page_urls;
    int more_pages;
    size_t n_more_pages;
} pw_capture_gap;

/*
 * Where a capture source delivers what it sees (HAR reader, browser, static scan). Pointers are
 * valid only during the call: a sink copies what it keeps. Any callback may be NULL; return
 * PW_OK to continue, anything else stops the source. on_gap receives what the source itself
 * could not observe (a page the static scan could not fetch, the gaps a --har-out file recorded
 * in log._phiwall.gaps); a failed request is delivered as a request, never as a gap.
 */
typedef struct pw_capture_sink {
    pw_status (*on_page)(void *ctx, const pw_page *page, pw_err *err);
    pw_status (*on_request)(void *ctx, const pw_request *req, pw_err *err);
    void *ctx;
    void (*on_gap)(void *ctx, const pw_capture_gap *gap);
} pw_capture_sink;

/* Look up a header case-insensitively; NULL if absent. */
const char *pw_request_header(const pw_request *r, const char *name);

#ifdef __cplusplus
}
#endif
#endif
