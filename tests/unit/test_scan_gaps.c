/* test_scan_gaps.c — the gaps of `phiwall scan` (cli/scan_gaps.c): a script or frame gap merged
 * over pages keeps every page it happened on (by page key, up to PW_CLI_GAP_PAGES; past them, or
 * a recorded gap counting pages it does not name, more_pages), gaps past PW_CLI_GAPS_MAX are
 * counted and reach the result (n_gaps_dropped), and a HAR's page document that failed after a
 * redirect from the page's own URL is a page gap named by the page, as is one that answered an
 * HTTP error. Pages past a gap's list are counted once each (n_more_pages). A tracker's data
 * file (a catalog entry's data-path kind: Optimera's per-page score file) that failed is no
 * script gap, whatever its request type; the vendor's code failing still is. */
#include <stdio.h>
#include <string.h>

#include "pw_test.h"
#include "scan_gaps.h"

static pw_capture_gap gtm_on(const char *page)
{
    return (pw_capture_gap){.kind = PW_GAP_SCRIPT,
                            .url = "https://www.googletagmanager.com/gtm.js",
                            .page_url = page,
                            .error = "HTTP 404",
                            .tracker_id = "google-tag-manager"};
}

static void pages_of_a_gap(void)
{
    pw_cli_gaps g;
    pw_cli_gaps_init(&g, NULL);
    pw_capture_gap a = gtm_on("https://h.org/a"), a2 = gtm_on("https://H.org/a?utm=1");
    pw_cli_gaps_add(&g, &a);
    pw_cli_gaps_add(&g, &a2); /* the same page: no second entry */
    CHECK_INT(g.n, 1);
    CHECK_INT(g.v[0].pages, 2);
    CHECK_INT(g.v[0].n_page_urls, 0);
    CHECK_INT(g.v[0].more_pages, 0);
    char url[64];
    for (int i = 1; i < PW_CLI_GAP_PAGES; i++) {
        snprintf(url, sizeof url, "https://h.org/p%d", i);
        pw_capture_gap p = gtm_on(url);
        pw_cli_gaps_add(&g, &p);
    }
    CHECK_INT(g.n, 1);
    CHECK_INT(g.v[0].n_page_urls, PW_CLI_GAP_PAGES);
    CHECK_INT(g.v[0].more_pages, 0);
    if (g.v[0].n_page_urls == PW_CLI_GAP_PAGES) {
        CHECK_STR(g.v[0].page_urls[0], "https://h.org/a");
        CHECK_STR(g.v[0].page_urls[1], "https://h.org/p1");
    }
    pw_capture_gap again = gtm_on("https://h.org/p7"); /* listed already */
    pw_cli_gaps_add(&g, &again);
    CHECK_INT(g.v[0].more_pages, 0);
    pw_capture_gap past = gtm_on("https://h.org/past");
    pw_cli_gaps_add(&g, &past);
    CHECK_INT(g.v[0].more_pages, 1); /* one page too many: unknown which */
    CHECK_INT(g.v[0].n_more_pages, 1);
    CHECK_INT(g.v[0].pages, PW_CLI_GAP_PAGES + 3);
    /* past the list, each page is counted once: again (by its page key), then two new ones */
    pw_capture_gap past_again = gtm_on("https://h.org/past?utm=2");
    pw_capture_gap more1 = gtm_on("https://h.org/more1"), more2 = gtm_on("https://h.org/more2");
    pw_cli_gaps_add(&g, &past_again);
    pw_cli_gaps_add(&g, &more1);
    pw_cli_gaps_add(&g, &more2);
    pw_cli_gaps_add(&g, &more1);
    CHECK_INT(g.v[0].n_page_urls, PW_CLI_GAP_PAGES);
    CHECK_INT(g.v[0].n_more_pages, 3);
    CHECK_INT(g.v[0].pages, PW_CLI_GAP_PAGES + 7);
    /* a recorded gap counting pages it does not name: how many more is no longer known */
    pw_capture_gap counted_more = gtm_on("https://h.org/more3");
    counted_more.pages = 2;
    pw_cli_gaps_add(&g, &counted_more);
    CHECK_INT(g.v[0].more_pages, 1);
    CHECK_INT(g.v[0].n_more_pages, 0);
    pw_cli_gaps_free(&g);

    /* a recorded gap (log._phiwall.gaps) that happened 3 times names only its first page */
    pw_cli_gaps_init(&g, NULL);
    pw_capture_gap counted = gtm_on("https://h.org/a");
    counted.pages = 3;
    pw_cli_gaps_add(&g, &counted);
    CHECK_INT(g.v[0].more_pages, 1);
    CHECK_INT(g.v[0].n_more_pages, 0); /* unknown how many */
    pw_cli_gaps_free(&g);
}

static void dropped(void)
{
    pw_cli_gaps g;
    pw_cli_gaps_init(&g, NULL);
    char url[64];
    for (int i = 0; i < PW_CLI_GAPS_MAX + 2; i++) {
        snprintf(url, sizeof url, "https://h.org/page%d", i);
        pw_cli_gaps_add(&g, &(pw_capture_gap){.kind = PW_GAP_PAGE, .url = url, .error = "x"});
    }
    pw_scan_result r = {0};
    pw_scan_result full = pw_cli_gaps_attach(&r, &g);
    CHECK_INT(full.n_gaps, PW_CLI_GAPS_MAX);
    CHECK_INT(full.n_gaps_dropped, 2);
    pw_cli_gaps_free(&g);
}

static pw_request doc(const char *url, int status, const char *error, const char *to)
{
    return (pw_request){.method = "GET",
                        .url = url,
                        .page_url = "https://h.org/x",
                        .resource_type = "document",
                        .status = status,
                        .error = error,
                        .source = PW_SOURCE_HAR,
                        .redirect_url = to};
}

static void redirected_document(void)
{
    pw_cli_gaps g;
    pw_cli_gaps_init(&g, NULL);
    pw_request hop = doc("https://h.org/x", 301, NULL, "https://h.org/x/");
    pw_request other = doc("https://h.org/widget", 0, "net::ERR_TIMED_OUT", NULL);
    pw_request failed = doc("https://h.org/x/", 0, "net::ERR_TIMED_OUT", NULL);
    pw_cli_gaps_check_request(&g, &hop);
    pw_cli_gaps_check_request(&g, &other); /* no redirect led there: no page gap */
    CHECK_INT(g.n, 0);
    pw_cli_gaps_check_request(&g, &failed);
    CHECK_INT(g.n, 1);
    if (g.n == 1) {
        CHECK_INT(g.v[0].kind, PW_GAP_PAGE);
        CHECK_STR(g.v[0].url, "https://h.org/x"); /* as the HAR's page is named */
        CHECK_STR(g.v[0].error, "net::ERR_TIMED_OUT");
    }
    pw_cli_gaps_free(&g);
}

/* A HAR's page whose document answered an HTTP error loaded an error page: an error-page gap
 * (its findings in a baseline are not rechecked, never gone; the result stays complete), after a
 * redirect too; once per page. */
static void error_page(void)
{
    pw_cli_gaps g;
    pw_cli_gaps_init(&g, NULL);
    pw_request gone = doc("https://h.org/x", 404, NULL, NULL);
    pw_cli_gaps_check_request(&g, &gone);
    pw_cli_gaps_check_request(&g, &gone);
    CHECK_INT(g.n, 1);
    if (g.n == 1) {
        CHECK_INT(g.v[0].kind, PW_GAP_ERROR_PAGE);
        CHECK_INT(pw_gap_makes_incomplete(g.v[0].kind), 0);
        CHECK_STR(g.v[0].url, "https://h.org/x");
        CHECK_STR(g.v[0].error, "page answered HTTP 404");
    }
    pw_cli_gaps_free(&g);
    pw_cli_gaps_init(&g, NULL);
    pw_request hop = doc("https://h.org/x", 301, NULL, "https://h.org/x/");
    pw_request down = doc("https://h.org/x/", 503, NULL, NULL);
    pw_request frame = doc("https://h.org/widget", 500, NULL, NULL);
    pw_cli_gaps_check_request(&g, &hop);
    pw_cli_gaps_check_request(&g, &frame); /* an iframe's error page: no page gap */
    pw_cli_gaps_check_request(&g, &down);
    CHECK_INT(g.n, 1);
    if (g.n == 1) {
        CHECK_STR(g.v[0].url, "https://h.org/x");
        CHECK_STR(g.v[0].error, "page answered HTTP 503");
    }
    pw_cli_gaps_free(&g);
}

static pw_request sub(const char *url, const char *type, int status, const char *error)
{
    return (pw_request){.method = "GET",
                        .url = url,
                        .page_url = "https://theclinickc.org/",
                        .resource_type = type,
                        .status = status,
                        .error = error,
                        .source = PW_SOURCE_HAR};
}

/* The Clinic KC's Blacklight HAR: Optimera's score file for a page it had not scored answered
 * 403 (S3's XML error body). Before, that was a failed tracker script and the scan INCOMPLETE
 * (exit 4). A Chrome HAR marks it "script" (it is loaded by a <script> that only sets oVa), a
 * Blacklight HAR gives no type (the decoder reads its .js path as a script load): neither is a
 * gap. oPS.js, Optimera's code, failing still is one; so is an entry with no data paths. */
static void data_file_no_gap(void)
{
    pw_catalog *cat = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_open(&(pw_catalog_options){.easyprivacy_file = "", .easylist_file = ""},
                              &cat, &err),
              PW_OK);
    pw_cli_gaps g;
    pw_cli_gaps_init(&g, cat);
    const char *scores = "https://dyv1bugovvq1g.cloudfront.net/11/www.kansascity.com/latest-news/"
                         "article214391484.html/video-embed.js";
    pw_request untyped = sub(scores, NULL, 403, NULL);
    pw_request typed = sub(scores, "script", 403, "net::ERR_ABORTED");
    pw_request refused = sub(scores, "script", 0, "net::ERR_CONNECTION_REFUSED");
    pw_cli_gaps_check_request(&g, &untyped);
    pw_cli_gaps_check_request(&g, &typed);
    pw_cli_gaps_check_request(&g, &refused);
    CHECK_INT(g.n, 0);
    pw_request code = sub("https://d15kdpgjg3unno.cloudfront.net/oPS.js?cid=11", NULL, 403, NULL);
    pw_cli_gaps_check_request(&g, &code);
    pw_request gtm = sub("https://www.googletagmanager.com/gtm.js?id=GTM-X", "script", 404, NULL);
    pw_cli_gaps_check_request(&g, &gtm);
    CHECK_INT(g.n, 2);
    if (g.n == 2) {
        CHECK_INT(g.v[0].kind, PW_GAP_SCRIPT);
        CHECK_STR(g.v[0].tracker_id, "optimera");
        CHECK_STR(g.v[1].tracker_id, "google-tag-manager");
    }
    pw_cli_gaps_free(&g);
    pw_catalog_free(cat);
}

PW_TEST_MAIN(PW_TEST(pages_of_a_gap), PW_TEST(dropped), PW_TEST(redirected_document),
             PW_TEST(error_page), PW_TEST(data_file_no_gap))
