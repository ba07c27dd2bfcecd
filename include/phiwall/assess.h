/*
 * assess.h — the assess stage: joins pages, beacons and PHI hits into ranked findings under the
 * HHS OCR guidance (Dec 2022, rev. March 2024) as narrowed by AHA v. Becerra (N.D. Tex. 2024).
 *
 * A pw_assessor is fed pages and requests from any capture source; it decodes and detects them
 * itself (through the decode and detect modules), aggregates one finding per
 * (rule, vendor, account, page) with an occurrence count, and hands back the result for report.
 */
#ifndef PHIWALL_ASSESS_H
#define PHIWALL_ASSESS_H

#include <stddef.h>

#include "phiwall/decode.h"
#include "phiwall/detect.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_severity {
    PW_SEV_INFO = 0,
    PW_SEV_LOW,
    PW_SEV_MEDIUM,
    PW_SEV_HIGH,
    PW_SEV_CRITICAL,
    PW_SEV__COUNT
} pw_severity;

const char *pw_severity_name(pw_severity s);            /* "critical" */
int pw_severity_parse(const char *s, pw_severity *out); /* 0 ok, -1 unknown */

/* The HHS context of a page (DESIGN §3). */
typedef enum pw_hhs_context {
    PW_CTX_GENERAL = 0,   /* no relation to anyone's care: careers, news, parking */
    PW_CTX_CONDITION,     /* public page about a condition, treatment or provider */
    PW_CTX_CARE_INTENT,   /* unauthenticated, relates to the visitor's own care: scheduling,
                             find-a-doctor search, symptom checker, pharmacy, forms */
    PW_CTX_AUTHENTICATED, /* portal, telehealth, bill pay, messages */
    PW_CTX__COUNT
} pw_hhs_context;

const char *pw_hhs_context_name(pw_hhs_context c); /* "authenticated", … */

/* One field of evidence: the field as sent and the PHI found in it. */
typedef struct pw_evidence {
    const char *key;
    const char *value;
    size_t value_len;
    pw_field_kind kind;
    const pw_hit *hits;
    size_t n_hits;
} pw_evidence;

#define PW_FINDING_PAGE_URLS 10

/* The file where a long scan keeps its findings' details (assess/spill.c). */
typedef struct pw_spill pw_spill;

typedef struct pw_finding {
    const char *rule_id; /* "PW-AUTH-TRACKER", … (docs/rules.md) */
    const char *title;   /* one line */
    pw_severity severity;
    pw_hhs_context context;
    const char *legal;       /* one or two sentences of reasoning, no overclaiming */
    const char *remediation; /* concrete fix */
    const pw_tracker *tracker;
    const char *account_id; /* may be NULL */
    /* A filter-list finding's company (EasyPrivacy, EasyList: one entry, many companies): the
     * registrable domain of its requests' hosts, one finding per company; NULL otherwise. The
     * request's host may be any of the company's hosts, whichever gave the evidence. */
    const char *company;
    const char *event_name; /* the event of the evidence request, may be NULL */
    const char *page_url;
    const char *page_title;     /* may be NULL */
    const char *screenshot_png; /* may be NULL */
    pw_step step;
    int before_consent;
    int after_reject;
    size_t occurrences; /* requests that gave this (rule, vendor, account, page) */
    /* The page is a page key (pw_url_page_key): the page URLs that differ only in their query
     * (one per form submission, search or canary) are one finding. page_url, page_title,
     * context and the evidence come from one of them, the most severe; page_urls lists the
     * first PW_FINDING_PAGE_URLS of them in the order seen, page_variants counts them all. */
    size_t page_variants;
    const char *const *page_urls;
    size_t n_page_urls;
    const pw_evidence *evidence;
    size_t n_evidence;
    const pw_request *request; /* first request as evidence */
    /* The tracker is one the site declared a BAA with (pw_assess_opts.baa_ids): severity capped
     * at low, legal reasoning and fix about the agreement. */
    int baa_declared;
} pw_finding;

typedef struct pw_assessor pw_assessor;

typedef struct pw_assess_opts {
    const pw_catalog *catalog;   /* required */
    const pw_detector *detector; /* required */
    /* Catalog ids (`phiwall trackers`) of trackers whose vendor the site holds a signed business
     * associate agreement with (`scan --baa ID`). A disclosure to a business associate under a
     * BAA is permitted, so their findings are capped at low with that reasoning (the BAA's scope
     * and the minimum-necessary rule are left to check) and PW-NO-BAA never fires for them;
     * PW-CONSENT stays as it is (state law and the FTC Act). An unknown id, a filter-list entry
     * or a tracker whose vendor the catalog records as signing no BAA is PW_ERR_INVALID. */
    const char *const *baa_ids;
    size_t n_baa_ids;
    /* Bytes of findings, evidence and pages held in memory before later findings' evidence,
     * requests, legal reasoning and fixes go to an unlinked temporary file (0: 2 MiB), so
     * memory stays bounded whatever the number of pages; the report reads them back. Past
     * memory_budget / 128 findings held (16,384), the findings themselves go to such a file
     * (merged at finish, the result's findings read back one at a time). The files are made
     * in spill_dir (NULL: $TMPDIR, else /tmp); a failure to create or write one is a
     * PW_ERR_IO naming the directory, never a finding lost. */
    size_t memory_budget;
    const char *spill_dir;
} pw_assess_opts;

pw_status pw_assessor_new(const pw_assess_opts *opts, pw_assessor **out, pw_err *err);
/* One of pw_assess_opts.baa_ids checked as pw_assessor_new checks it (before a long scan). */
pw_status pw_assess_check_baa(const pw_catalog *c, const char *id, pw_err *err);
void pw_assessor_free(pw_assessor *as);

/* Feed a page (before or after its requests; requests name their page by page_url). The
 * assessor copies what it keeps. */
pw_status pw_assessor_add_page(pw_assessor *as, const pw_page *page, pw_err *err);
/* Feed a request; it is decoded and scanned at once. A decode error on one request is
 * counted and reported in the result, never fatal. */
pw_status pw_assessor_add_request(pw_assessor *as, const pw_request *req, pw_err *err);

/* One tracker account seen in the scan, whatever the findings: the inventory of "who receives
 * what from which pages". */
typedef struct pw_tracker_use {
    const pw_tracker *tracker;
    const char *account_id;    /* may be NULL */
    const char *const *events; /* distinct event names, first 32 */
    size_t n_events;
    const char *const *hosts; /* distinct request hosts, first 16 */
    size_t n_hosts;
    size_t n_requests; /* beacons */
    size_t n_pages;    /* distinct pages */
} pw_tracker_use;

/* The result, valid until the assessor is freed. Findings are sorted by severity (highest
 * first), then page key, vendor, tracker, rule, account and evidence request URL: no two tie
 * (docs/report-formats.md). They are read one at a time through pw_scan_result_finding, never
 * as an array: past pw_assess_opts.memory_budget a long scan keeps its findings' evidence,
 * requests, legal reasoning and fixes in a temporary file, and past memory_budget / 128
 * findings the findings too (one file a severity, read back by place). */
typedef struct pw_scan_result {
    /* A result built by hand (a test, a program of its own) may give its findings here, an
     * array; the assessor's result leaves it NULL. Read either through pw_scan_result_finding. */
    const pw_finding *findings;
    size_t n_findings;
    /* The assessor's findings (its compact records; NULL in a result built by hand). */
    const pw_assessor *store;
    const pw_page *pages;
    size_t n_pages;
    const pw_hhs_context *page_contexts; /* parallel to pages */
    size_t n_requests;                   /* requests seen */
    size_t n_third_party;                /* requests to third parties */
    size_t n_beacons;                    /* beacons decoded, to any third party */
    size_t n_decode_errors;              /* requests whose body could not be decoded */
    const char *target;                  /* what was scanned (URL or file names) */
    pw_source source;
    const char *const *page_reasons; /* parallel to pages: why the context (may be NULL) */
    const pw_tracker_use *trackers;  /* inventory, ordered by vendor, product, account */
    size_t n_trackers;
    /* What the capture could not observe (request.h): failed tracker scripts, pages that did
     * not load. Any gap makes the result incomplete (reports say so; `phiwall scan` exits 4).
     * The assessor leaves these empty; the program that ran the capture fills them in. */
    const pw_capture_gap *gaps;
    size_t n_gaps;
    size_t n_gaps_dropped; /* distinct gaps past the capture's bound, not kept: unknown where */
    /* Beacons of trackers (catalogued or on a filter list): the inventory's total. n_beacons
     * also counts requests to third parties in neither (a font CDN, a video host). */
    size_t n_tracker_beacons;
    /* When the capture ran: the earliest and latest request time (seconds since the epoch) among
     * requests that carried one; 0 when none did. A disclosure report is a record of what was
     * observed and when, so every format states it. */
    double captured_first, captured_last;
    /* The trackers the site declared a BAA with (pw_assess_opts.baa_ids, resolved). */
    const pw_tracker *const *baa_declared;
    size_t n_baa_declared;
    /* What the trackers were recognised with: the catalog's entries and each filter list, loaded
     * (its file, version, rules) or not. Every format states them: the same capture gives
     * another inventory where another list is installed. */
    size_t catalog_entries;
    pw_catalog_list lists[PW_CATALOG_LISTS];
    /* Where findings' details are kept past the memory budget (NULL: all in memory). */
    const pw_spill *spill;
} pw_scan_result;

/* Finding i of r (i < r->n_findings, in the order above) in *tmp. With an arena: whole, its
 * evidence, request, legal reasoning and fix read back from the temporary file into the arena
 * when kept there (NULL with err set when the file cannot be read). With a NULL arena: its
 * evidence, request, legal reasoning and fix present only when kept in memory (else NULL,
 * n_evidence 0), no detail read: what a count, a sort or a table row needs (a long scan's
 * finding record itself is read from its severity's file, 64 records at a time, so reading in
 * order costs one read a block; a read that fails gives NULL). Returns tmp, or the array's
 * finding of a result built by hand; valid until tmp is reused and the arena reset (its
 * page_urls, when more than one, until 64 more findings are read without an arena). */
const pw_finding *pw_scan_result_finding(const pw_scan_result *r, size_t i, pw_finding *tmp,
                                         pw_arena *a, pw_err *err);
/* Finding i's severity (no I/O). */
pw_severity pw_scan_result_severity(const pw_scan_result *r, size_t i);

pw_status pw_assessor_finish(pw_assessor *as, const pw_scan_result **out, pw_err *err);

/* Highest severity among the findings, or -1 if there are none. */
int pw_scan_result_max_severity(const pw_scan_result *r);

/* Name what was scanned (copied; "a.har, b.har" or a URL) and the capture source. */
pw_status pw_assessor_set_target(pw_assessor *as, const char *target, pw_source source,
                                 pw_err *err);

/* The rule table, for reports (SARIF tool.driver.rules) and docs/rules.md. */
typedef struct pw_rule_info {
    const char *id;       /* "PW-AUTH-TRACKER" */
    const char *title;    /* one line */
    const char *legal;    /* the reasoning findings of this rule carry */
    pw_severity severity; /* the highest severity the rule gives */
} pw_rule_info;

size_t pw_rule_count(void);
const pw_rule_info *pw_rule_info_at(size_t i);
const pw_rule_info *pw_rule_info_find(const char *id); /* NULL if unknown */

/* Page context from the page alone (URL and title cues, health terms found by the detector in
 * the URL path and title); *reason (may be NULL) gets a static or arena string explaining it.
 * The assessor adds login flows and session cookies on top. `d` and `s` may be NULL (cues only). */
pw_hhs_context pw_assess_page_context(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                      const char *url, const char *title, const char **reason);
/* 1 if a Cookie header holds a logged-in session's cookie, judged by the whole tokens of its
 * name (AuthToken, access_token, .ASPXAUTH, wordpress_logged_in_…), never a substring
 * (_pin_unauth, hs_authorship, MyChartLocale, next-auth.callback-url are anonymous). */
int pw_assess_auth_cookie(const char *cookie_header);
/* 1 if a URL's path looks like a login endpoint (login, signin, sso, oauth, …) outside a
 * general section (a "/careers/login" is a job applicant's). */
int pw_assess_login_url(const char *url);

#ifdef __cplusplus
}
#endif
#endif
