/*
 * test_report_readable.c — reports a privacy officer acts on without reading twice:
 *  - gtag.js loading a Google Ads (AW-), Floodlight (DC-) or Universal Analytics (UA-) ID folds
 *    into the collector that names the same ID on the same page (findings and inventory rows),
 *    the collector's fix naming the loader; a loader whose collector never reported its ID keeps
 *    its finding and row, its ID in the account column;
 *  - a filter-list hit on a host a catalog entry names is that entry's, not a second
 *    "tracker (EasyPrivacy) at www.google-analytics.com" row (a host several decoders share
 *    keeps the list's row: which entry an unlisted path is is not known);
 *  - Universal Analytics hit types that are codes ("dc") are named for a reader;
 *  - a page of patient education is a health information page, not "care-intent (search)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess_har_case.h"
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "pw_test_finding.h"
#include "report/report_internal.h"
#include "report_fixture.h"

static size_t count_findings(const pw_scan_result *r, const char *rule, const char *tracker,
                             const char *account, const char *page_end)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(r, i);
        size_t len = strlen(f->page_url), m = page_end ? strlen(page_end) : 0;
        n += strcmp(f->rule_id, rule) == 0 && (!tracker || strcmp(f->tracker->id, tracker) == 0) &&
             (!account || (f->account_id && strcmp(f->account_id, account) == 0)) &&
             (!page_end || (len >= m && strcmp(f->page_url + len - m, page_end) == 0));
    }
    return n;
}

static const pw_finding *finding_of(const pw_scan_result *r, const char *rule, const char *tracker,
                                    const char *account)
{
    for (size_t i = 0; r && i < r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(r, i);
        if (strcmp(f->rule_id, rule) == 0 && strcmp(f->tracker->id, tracker) == 0 &&
            f->account_id && strcmp(f->account_id, account) == 0)
            return f;
    }
    return NULL;
}

static const pw_tracker_use *row_of(const pw_scan_result *r, const char *tracker,
                                    const char *account)
{
    for (size_t i = 0; i < r->n_trackers; i++) {
        const pw_tracker_use *u = &r->trackers[i];
        if (strcmp(u->tracker->id, tracker) == 0 && u->account_id &&
            strcmp(u->account_id, account) == 0)
            return u;
    }
    return NULL;
}

static int has_host(const pw_tracker_use *u, const char *host)
{
    for (size_t i = 0; u && i < u->n_hosts; i++)
        if (strcmp(u->hosts[i], host) == 0)
            return 1;
    return 0;
}

#define GTAG(id) "https://www.googletagmanager.com/gtag/js?id=" id
#define NEWS     "https://h.org/news"

/* The requests of gtag_loaders_fold_into_collectors. */
static const pw_page gtag_pages[] = {{.url = NEWS}};
static const pw_header ref[] = {{"Referer", NEWS}};
#define LOADER(id)                                                                          \
    {                                                                                       \
        .method = "GET", .url = GTAG(id), .page_url = NEWS, .headers = ref, .n_headers = 1, \
        .resource_type = "script"                                                           \
    }
#define BEACON(u)                                                             \
    {                                                                         \
        .method = "GET", .url = u, .page_url = NEWS, .resource_type = "image" \
    }
static const pw_request gtag_reqs[] = {
    LOADER("AW-123456"),
    BEACON("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/"
           "?random=1&url=https%3A%2F%2Fh.org%2Fnews"),
    LOADER("DC-4567"),
    BEACON("https://4567.fls.doubleclick.net/activityi;src=4567;type=pagev0;cat=news0;ord=1"),
    LOADER("UA-99-1"),
    BEACON("https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-99-1&cid=1.2"
           "&dl=https%3A%2F%2Fh.org%2Fnews"),
    LOADER("DC-789"),
};
#undef LOADER
#undef BEACON

/* The City of Hope and March of Dimes captures: gtag.js for AW-<N>, DC-<N> and UA-… beside
 * Google Ads' conversion beacon naming N, Floodlight's src=N and UA's tid=UA-…, on one general
 * page. Before: a PW-TRACKER-PRESENT and an inventory row for each loader beside its collector's
 * (cityofhope: 4 of 57 info findings, 4 inventory rows). DC-789 has no Floodlight beacon of its
 * own: its loader stays. */
static void gtag_loaders_fold_into_collectors(void)
{
    scan s;
    CHECK(scan_requests(&s, gtag_pages, 1, gtag_reqs, sizeof gtag_reqs / sizeof gtag_reqs[0]));
    if (!s.r) {
        scan_free(&s);
        return;
    }
    /* one inventory finding per tag: the collector's */
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", "AW-123456", NULL),
              0);
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", "DC-4567", NULL), 0);
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", "UA-99-1", NULL), 0);
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-ads", "123456", NULL), 1);
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "floodlight", "4567", NULL), 1);
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "universal-analytics", "UA-99-1", NULL), 1);
    /* the collector's fix names the loader it stands for */
    const pw_finding *f = finding_of(s.r, "PW-TRACKER-PRESENT", "google-ads", "123456");
    CHECK(f && strstr(f->remediation, "gtag/js?id=AW-123456)"));
    f = finding_of(s.r, "PW-TRACKER-PRESENT", "floodlight", "4567");
    CHECK(f && strstr(f->remediation, "gtag/js?id=DC-4567)"));
    f = finding_of(s.r, "PW-TRACKER-PRESENT", "universal-analytics", "UA-99-1");
    CHECK(f && strstr(f->remediation, "gtag/js?id=UA-99-1)"));
    /* no collector named DC-789: which one the loader served is not certain, it stays */
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", "DC-789", NULL), 1);
    /* the inventory: one row per tag, the loader's request and host in the collector's */
    CHECK(row_of(s.r, "google-tag-manager", "AW-123456") == NULL);
    CHECK(row_of(s.r, "google-tag-manager", "DC-4567") == NULL);
    CHECK(row_of(s.r, "google-tag-manager", "UA-99-1") == NULL);
    CHECK(row_of(s.r, "google-tag-manager", "DC-789") != NULL);
    const pw_tracker_use *u = row_of(s.r, "google-ads", "123456");
    CHECK(u && u->n_requests == 2 && has_host(u, "www.googletagmanager.com"));
    u = row_of(s.r, "floodlight", "4567");
    CHECK(u && u->n_requests == 2 && has_host(u, "www.googletagmanager.com"));
    u = row_of(s.r, "universal-analytics", "UA-99-1");
    CHECK(u && u->n_requests == 2 && has_host(u, "www.googletagmanager.com"));
    /* the loader that stays says what its ID is: "… gtag.js (loading Floodlight)", DC-789 */
    pw_buf b;
    char *t = rf_render_result(s.r, PW_REPORT_HTML, &b);
    CHECK(rf_count(t, "Google Tag Manager and gtag.js (loading Floodlight)") >= 2);
    CHECK_INT(rf_count(t, "(loading "), rf_count(t, "(loading Floodlight)"));
    pw_buf_free(&b);
    scan_free(&s);
}

/* The GA4 requests of ga4_condition_and_search_fixes_name_loader: gtag.js for G-ABC123 and its
 * collect hit, on a condition page and on a site-search results page. */
#define COND "https://h.org/conditions/asthma"
#define SRCH "https://h.org/search?q=asthma+inhaler"
static const pw_page ga4_pages[] = {{.url = COND}, {.url = SRCH}};
static const pw_header ref_cond[] = {{"Referer", COND}};
static const pw_header ref_srch[] = {{"Referer", SRCH}};
static const pw_request ga4_reqs[] = {
    {.method = "GET",
     .url = GTAG("G-ABC123"),
     .page_url = COND,
     .headers = ref_cond,
     .n_headers = 1,
     .resource_type = "script"},
    {.method = "POST",
     .url = "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1.2&en=page_view"
            "&dl=https%3A%2F%2Fh.org%2Fconditions%2Fasthma",
     .page_url = COND,
     .resource_type = "ping"},
    {.method = "GET",
     .url = GTAG("G-ABC123"),
     .page_url = SRCH,
     .headers = ref_srch,
     .n_headers = 1,
     .resource_type = "script"},
    {.method = "POST",
     .url = "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1.2&en=page_view"
            "&dl=https%3A%2F%2Fh.org%2Fsearch%3Fq%3Dasthma%2Binhaler",
     .page_url = SRCH,
     .resource_type = "ping"},
};

/* GA4's PW-CONDITION-URL and PW-SEARCH-TERM fixes said "Remove Google Analytics 4 from
 * condition … pages" / "remove the tag from search … pages" without the gtag.js tag that loads
 * it, whose findings were folded into them: removing the collector alone left the loader
 * (its other fixes, PW-NO-BAA, PW-TRACKER-PRESENT, PW-CONSENT, named it already). */
static void ga4_condition_and_search_fixes_name_loader(void)
{
    scan s;
    CHECK(scan_requests(&s, ga4_pages, 2, ga4_reqs, sizeof ga4_reqs / sizeof ga4_reqs[0]));
    if (!s.r) {
        scan_free(&s);
        return;
    }
    const pw_finding *f = finding_of(s.r, "PW-CONDITION-URL", "ga4", "G-ABC123");
    CHECK(f != NULL);
    CHECK(f && strstr(f->remediation, "www.googletagmanager.com/gtag/js?id=G-ABC123)"));
    f = finding_of(s.r, "PW-SEARCH-TERM", "ga4", "G-ABC123");
    CHECK(f != NULL);
    CHECK(f && strstr(f->remediation, "www.googletagmanager.com/gtag/js?id=G-ABC123)"));
    /* the loader has no finding of these rules of its own: the collector's stands for it */
    CHECK_INT(count_findings(s.r, "PW-CONDITION-URL", "google-tag-manager", NULL, NULL), 0);
    CHECK_INT(count_findings(s.r, "PW-SEARCH-TERM", "google-tag-manager", NULL, NULL), 0);
    scan_free(&s);
}
#undef COND
#undef SRCH

/* Server-side tagging: gtag.js or Google Tag Manager served from the site's own host, GA4's hits
 * sent there. GA4's fixes said to remove "www.googletagmanager.com/gtag/js?id=G-…", a loader the
 * capture never showed, and nothing of the server container that forwards the hits to Google. */
#define COND "https://h.org/conditions/asthma"
#define SRCH "https://h.org/search?q=asthma+inhaler"
#define CARE "https://h.org/treatments/asthma"
static const pw_page sst_pages[] = {{.url = COND}, {.url = SRCH}, {.url = CARE}};
static const pw_request sst_reqs[] = {
    {.method = "GET",
     .url = "https://metrics.h.org/gtag/js?id=G-SST1&l=dataLayer",
     .page_url = COND,
     .headers = ref_cond,
     .n_headers = 1,
     .resource_type = "script"},
    {.method = "POST",
     .url = "https://metrics.h.org/g/collect?v=2&tid=G-SST1&cid=1.2&en=page_view"
            "&dl=https%3A%2F%2Fh.org%2Fconditions%2Fasthma",
     .page_url = COND,
     .resource_type = "ping"},
    {.method = "GET",
     .url = "https://h.org/metrics/gtm.js?id=GTM-SST2",
     .page_url = SRCH,
     .headers = ref_srch,
     .n_headers = 1,
     .resource_type = "script"},
    {.method = "POST",
     .url = "https://h.org/metrics/g/collect?v=2&tid=G-SST2&cid=1.2&en=page_view"
            "&dl=https%3A%2F%2Fh.org%2Fsearch%3Fq%3Dasthma%2Binhaler",
     .page_url = SRCH,
     .resource_type = "ping"},
    {.method = "POST",
     .url = "https://metrics.h.org/g/collect?v=2&tid=G-SST3&cid=1.2&en=page_view"
            "&dl=https%3A%2F%2Fh.org%2Ftreatments%2Fasthma",
     .page_url = CARE,
     .resource_type = "ping"},
};

static void ga4_server_side_fixes_name_seen_loader(void)
{
    scan s;
    CHECK(scan_requests(&s, sst_pages, 3, sst_reqs, sizeof sst_reqs / sizeof sst_reqs[0]));
    if (!s.r) {
        scan_free(&s);
        return;
    }
    /* gtag.js from a first-party subdomain: that loader, and the server container */
    const pw_finding *f = finding_of(s.r, "PW-CONDITION-URL", "ga4-server-side", "G-SST1");
    CHECK(f != NULL);
    CHECK(f && strstr(f->remediation, "(metrics.h.org/gtag/js?id=G-SST1, as loaded here; "
                                      "server-side tagging: remove GA4 from the server container "
                                      "too, which forwards metrics.h.org/g/collect to Google)"));
    CHECK(f && !strstr(f->remediation, "googletagmanager"));
    CHECK_INT(count_findings(s.r, "PW-CONDITION-URL", "gtm-server-side", NULL, NULL), 0);
    /* Google Tag Manager from the site's own host, the hits sent beside it */
    f = finding_of(s.r, "PW-SEARCH-TERM", "ga4-server-side", "G-SST2");
    CHECK(f != NULL);
    CHECK(f && strstr(f->remediation, "(h.org/metrics/gtm.js?id=GTM-SST2, as loaded here; "));
    CHECK(f && strstr(f->remediation, "forwards h.org/metrics/g/collect to Google"));
    CHECK(f && !strstr(f->remediation, "googletagmanager.com/gtag"));
    /* no loader in the capture: none is named, the server container is */
    f = finding_of(s.r, "PW-CONDITION-URL", "ga4-server-side", "G-SST3");
    CHECK(f != NULL);
    CHECK(f && strstr(f->remediation, "(not in the capture: with server-side tagging"));
    CHECK(f && strstr(f->remediation, "forwards metrics.h.org/g/collect to Google"));
    CHECK(f && !strstr(f->remediation, "gtag/js?id=G-SST3"));
    scan_free(&s);
}
#undef COND
#undef SRCH
#undef CARE

/* Past the memory budget the fixes are in the spill file and the findings in runs: the fold
 * reads the collector's fix back and writes the one naming the loader (budget 1: everything
 * spilled). */
static void gtag_fold_with_findings_spilled(void)
{
    pw_err err = {0};
    pw_catalog *cat = NULL;
    pw_detector *det = NULL;
    pw_assessor *as = NULL;
    const pw_scan_result *r = NULL;
    pw_detector_opts dopts = {0};
    int ok =
        pw_catalog_load(NULL, &cat, &err) == PW_OK && pw_detector_new(&dopts, &det, &err) == PW_OK;
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = 1};
    ok = ok && pw_assessor_new(&o, &as, &err) == PW_OK &&
         pw_assessor_add_page(as, &gtag_pages[0], &err) == PW_OK;
    for (size_t i = 0; ok && i < sizeof gtag_reqs / sizeof gtag_reqs[0]; i++)
        ok = pw_assessor_add_request(as, &gtag_reqs[i], &err) == PW_OK;
    ok = ok && pw_assessor_finish(as, &r, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "spilled: %s\n", err.msg);
    CHECK(ok);
    if (ok) {
        CHECK_INT(count_findings(r, "PW-TRACKER-PRESENT", "google-tag-manager", NULL, NULL), 1);
        const pw_finding *f = finding_of(r, "PW-TRACKER-PRESENT", "google-ads", "123456");
        CHECK(f && f->remediation && strstr(f->remediation, "keep Google Ads") &&
              strstr(f->remediation, "gtag/js?id=AW-123456)"));
        f = finding_of(r, "PW-TRACKER-PRESENT", "universal-analytics", "UA-99-1");
        CHECK(f && f->remediation && strstr(f->remediation, "gtag/js?id=UA-99-1)"));
    }
    pw_assessor_free(as);
    pw_detector_free(det);
    pw_catalog_free(cat);
}

/* A loader on a page where its collector never fired keeps its finding there, even when the
 * collector reported the ID on another page: page by page, as the GA4 fold. */
static void gtag_loader_fold_is_per_page(void)
{
    static const pw_page pages[] = {{.url = NEWS}, {.url = "https://h.org/about"}};
    static const pw_request reqs[] = {
        {.method = "GET", .url = GTAG("AW-123456"), .page_url = NEWS, .resource_type = "script"},
        {.method = "GET",
         .url = "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/?url="
                "https%3A%2F%2Fh.org%2Fnews",
         .page_url = NEWS,
         .resource_type = "image"},
        {.method = "GET",
         .url = GTAG("AW-123456"),
         .page_url = "https://h.org/about",
         .resource_type = "script"},
    };
    scan s;
    CHECK(scan_requests(&s, pages, 2, reqs, 3));
    if (s.r) {
        CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", NULL, "/news"),
                  0);
        CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", "google-tag-manager", NULL, "/about"),
                  1);
    }
    scan_free(&s);
}

/* EasyPrivacy `rules` (a temporary file) with the built-in catalog; NULL on failure. */
static pw_catalog *catalog_with_list(const char *rules, char *path, size_t cap)
{
    snprintf(path, cap, "%s/pw_readable_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    size_t n = strlen(rules);
    int ok = write(fd, rules, n) == (ssize_t)n;
    close(fd);
    pw_catalog_options o = {.easyprivacy_file = path, .easylist_file = ""};
    pw_catalog *c = NULL;
    pw_err err;
    if (!ok || pw_catalog_open(&o, &c, &err) != PW_OK)
        return NULL;
    return c;
}

/* plannedparenthood.org's www.google-analytics.com/gtm/js (the Optimize container) matched
 * EasyPrivacy's ||google-analytics.com/gtm/js: a "tracker (EasyPrivacy) at
 * www.google-analytics.com" row beside the catalog's Universal Analytics row for the same host.
 * It is Google Analytics' own host: the catalog's entry. www.google.com (Google Ads, Maps, site
 * search: several decoders) keeps the list's row for a path none of them lists. */
static void catalog_host_gets_no_list_row(void)
{
    char path[512];
    pw_catalog *c =
        catalog_with_list("||google-analytics.com/gtm/js\n||google.com/ads/\n", path, sizeof path);
    CHECK(c != NULL);
    if (!c)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *page = "https://www.plannedparenthood.org/";
    decoded d = decode_req(c, &a, "GET",
                           "https://www.google-analytics.com/gtm/js?id=GTM-W2ZD7L3"
                           "&t=gtag_UA_219864_1&cid=1.2",
                           page, NULL, NULL, 0);
    CHECK_INT((int)d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "universal-analytics");
        CHECK(d.b[0].matched_rule == NULL);
        /* not UA's wire format: the container's id is no property, its t no hit type */
        CHECK(d.b[0].account_id == NULL);
        CHECK(d.b[0].event_name == NULL);
        CHECK_STR(field_value(&d.b[0], "cid"), "1.2");
    }
    const char *rule = "x";
    const pw_tracker *t =
        pw_catalog_classify(c, "https://www.google-analytics.com/gtm/js?id=GTM-1", page, &rule);
    CHECK(t && strcmp(t->id, "universal-analytics") == 0 && rule == NULL);
    /* www.google.com/ads/ga-audiences is Universal Analytics' (a catalog host item with a path);
     * another path of the shared host keeps the list's row */
    d = decode_req(c, &a, "GET", "https://www.google.com/ads/ga-audiences?t=sr&tid=UA-1-1", page,
                   NULL, NULL, 0);
    CHECK_INT((int)d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "universal-analytics");
        CHECK(d.b[0].matched_rule == NULL);
        CHECK(d.b[0].account_id && strcmp(d.b[0].account_id, "UA-1-1") == 0);
        CHECK(d.b[0].event_name &&
              strcmp(d.b[0].event_name,
                     "sr (Advertising Features hit to Google Ads: remarketing audiences)") == 0);
    }
    /* GA4's Google signals send the same hit with a G- ID: GA4's, and no Advertising Features */
    d = decode_req(c, &a, "GET",
                   "https://www.google.com/ads/ga-audiences?v=1&t=sr&slf_rd=1&_r=4&tid=G-AB12CD34"
                   "&cid=1.2",
                   page, NULL, NULL, 0);
    CHECK_INT((int)d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "ga4");
        CHECK(d.b[0].account_id && strcmp(d.b[0].account_id, "G-AB12CD34") == 0);
        CHECK(d.b[0].event_name &&
              strcmp(d.b[0].event_name,
                     "sr (Google signals hit to Google Ads: remarketing audiences)") == 0);
    }
    d = decode_req(c, &a, "GET", "https://www.google.com/ads/other?x=1", page, NULL, NULL, 0);
    CHECK_INT((int)d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "easyprivacy");
        CHECK(d.b[0].matched_rule != NULL);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
    unlink(path);
}

/* UA's `t=dc` (analytics.js's displayfeatures plugin: the Advertising Features hit to
 * stats.g.doubleclick.net) was shown as "event dc"; the other hit types that are codes too. */
static void ua_hit_types_named(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://stats.g.doubleclick.net/j/collect?t=dc&aip=1&_r=3&v=1"
                           "&tid=UA-3289688-1&cid=1.2");
    CHECK_INT((int)d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "universal-analytics");
        CHECK_STR(d.b[0].event_name,
                  "dc (Advertising Features hit to DoubleClick: remarketing, demographics)");
    }
    d = decode_get(c, &a, "https://www.google-analytics.com/collect?v=1&t=timing&tid=UA-1-1");
    CHECK(d.n == 1 && strcmp(d.b[0].event_name, "timing (user timing)") == 0);
    /* words a reader knows stay as they are: pageview, an event's action */
    d = decode_get(c, &a, "https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-1-1");
    CHECK(d.n == 1 && strcmp(d.b[0].event_name, "pageview") == 0);
    d = decode_get(
        c, &a, "https://www.google-analytics.com/collect?v=1&t=event&ea=page%20load&tid=UA-1-1");
    CHECK(d.n == 1 && strcmp(d.b[0].event_name, "page load") == 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* City of Hope's /patients/living-with-cancer/patient-education: the vocabulary files "patient
 * education" under care intent's "search" subtype (the engine's marker for a search parameter's
 * value too), and the report said "care-intent (search): patient education" — the visitor
 * searched — and counted it as care intent in what each tracker received. It is a page of health
 * information: "health (information page)", counted as health; a search parameter's marker
 * keeps its label. */
static void patient_education_is_health_information(void)
{
    static const pw_page pages[] = {
        {.url = "https://www.cityofhope.org/patients/living-with-cancer/patient-education",
         .title = "Patient Education & Resources for Cancer Patients"}};
    static const pw_request reqs[] = {
        {.method = "GET",
         .url = "https://www.facebook.com/tr/?id=1660607454217829&ev=PageView&dl=https%3A%2F%2F"
                "www.cityofhope.org%2Fpatients%2Fliving-with-cancer%2Fpatient-education",
         .page_url = "https://www.cityofhope.org/patients/living-with-cancer/patient-education",
         .resource_type = "image"}};
    scan s;
    CHECK(scan_requests(&s, pages, 1, reqs, 1));
    if (!s.r) {
        scan_free(&s);
        return;
    }
    pw_buf b;
    char *t = rf_render_result(s.r, PW_REPORT_TEXT, &b);
    CHECK(strstr(t, "health (information page): patient education") != NULL);
    CHECK(strstr(t, "care-intent (search)") == NULL);
    CHECK(strstr(t, "page URL: health\n") != NULL); /* what Meta received: not care intent */
    pw_buf_free(&b);
    scan_free(&s);
    /* the search parameter's own marker says a search happened */
    pw_hit search = {.category = PW_PHI_CARE_INTENT,
                     .subtype = "search",
                     .normalized = "knee pain",
                     .reason = PW_REASON_CONTEXT};
    pw_buf_init(&b);
    pw_report_hit_label(&b, &search);
    pw_buf_putc(&b, '\0');
    CHECK_STR(b.data, "care-intent (search): knee pain");
    CHECK(pw_report_hit_is_search_text(&search));
    pw_buf_free(&b);
}

PW_TEST_MAIN(PW_TEST(gtag_loaders_fold_into_collectors), PW_TEST(gtag_fold_with_findings_spilled),
             PW_TEST(gtag_loader_fold_is_per_page), PW_TEST(catalog_host_gets_no_list_row),
             PW_TEST(ua_hit_types_named), PW_TEST(patient_education_is_health_information),
             PW_TEST(ga4_condition_and_search_fixes_name_loader),
             PW_TEST(ga4_server_side_fixes_name_seen_loader))
