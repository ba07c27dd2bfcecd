/* test_report_incomplete.c — an incomplete scan is never rendered as clean: a result with capture
 * gaps gets the INCOMPLETE line (text), the banner (html), complete=false with every reason
 * (json) and an unsuccessful invocation (sarif); a result without gaps says none of it. Also the
 * HAR side of gaps: `response._error` and a stated status 0 become pw_request.error (an absent
 * response does not), and the HAR writer keeps the error for `scan --har`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phiwall/browser.h"
#include "phiwall/har.h"
#include "phiwall/report.h"
#include "pw_test.h"

static const pw_capture_gap gaps[] = {
    {.kind = PW_GAP_SCRIPT,
     .url = "https://connect.facebook.net/en_US/fbevents.js",
     .page_url = "https://h.example/find-a-doctor",
     .error = "net::ERR_NAME_NOT_RESOLVED",
     .tracker_id = "meta-pixel",
     .tracker = "Meta Pixel",
     .pages = 3},
    {.kind = PW_GAP_SCRIPT,
     .url = "https://www.googletagmanager.com/gtm.js?id=GTM-X",
     .page_url = "https://h.example/",
     .error = "HTTP 404"},
    {.kind = PW_GAP_PAGE, .url = "https://h.example/never", .error = "no load event within 3 s"},
};

static char *render(const pw_scan_result *r, pw_report_format fmt)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "test"};
    CHECK(pw_report_render(r, fmt, &o, &b, NULL) == PW_OK);
    return pw_buf_steal(&b, NULL);
}

static pw_scan_result result(int with_gaps)
{
    pw_scan_result r = {.target = "https://h.example/", .source = PW_SOURCE_BROWSER};
    if (with_gaps) {
        r.gaps = gaps;
        r.n_gaps = sizeof gaps / sizeof gaps[0];
    }
    return r;
}

static void headline(void)
{
    pw_scan_result r = result(1);
    pw_buf b;
    pw_buf_init(&b);
    pw_report_incomplete_headline(&r, &b);
    CHECK_STR(b.data, "2 tracker scripts failed to load (connect.facebook.net/en_US/fbevents.js: "
                      "net::ERR_NAME_NOT_RESOLVED), 1 page did not load or timed out "
                      "(https://h.example/never: no load event within 3 s)");
    pw_buf_free(&b);
    r = result(0);
    pw_buf_init(&b);
    pw_report_incomplete_headline(&r, &b);
    CHECK(b.len == 0);
    pw_buf_free(&b);
}

static void text(void)
{
    pw_scan_result r = result(1);
    char *t = render(&r, PW_REPORT_TEXT);
    CHECK(t && strstr(t, "\nINCOMPLETE: 2 tracker scripts failed to load "
                         "(connect.facebook.net/en_US/fbevents.js: net::ERR_NAME_NOT_RESOLVED), 1 "
                         "page did not load or timed out (https://h.example/never: no load event "
                         "within 3 s) — what they would have sent was not observed; this is not "
                         "a clean result.\n"));
    CHECK(t && strstr(t, "\n  - script connect.facebook.net/en_US/fbevents.js (Meta Pixel): "
                         "net::ERR_NAME_NOT_RESOLVED — on https://h.example/find-a-doctor "
                         "(3 times)\n"));
    CHECK(t && strstr(t, "\n  - page https://h.example/never: no load event within 3 s\n"));
    /* near the top: before the findings counts */
    CHECK(t && strstr(t, "INCOMPLETE") < strstr(t, "Findings:"));
    CHECK(t && !strstr(t, "\nNo tracker findings.\n"));
    CHECK(t && strstr(t, "No tracker findings in what was observed; the scan is INCOMPLETE"));
    free(t);
    /* a page URL from the site reaches the terminal as text: no ESC to clear the screen, no CR
     * LF to forge a line */
    pw_capture_gap evil = {.kind = PW_GAP_PAGE,
                           .url = "https://h.example/x\033[2J\r\nFindings: none",
                           .error = "timeout"};
    pw_scan_result e = {.target = "https://h.example/", .gaps = &evil, .n_gaps = 1};
    char *te = render(&e, PW_REPORT_TEXT);
    CHECK(te && strstr(te, "https://h.example/x\\x1b[2J\\r\\nFindings: none: timeout"));
    CHECK(te && !strstr(te, "\033[2J") && !strstr(te, "\r\nFindings: none"));
    free(te);
    r = result(0);
    t = render(&r, PW_REPORT_TEXT);
    CHECK(t && !strstr(t, "INCOMPLETE"));
    CHECK(t && strstr(t, "\nNo tracker findings.\n"));
    free(t);
}

static void json(void)
{
    pw_scan_result r = result(1);
    char *j = render(&r, PW_REPORT_JSON);
    CHECK(j && strstr(j, "\"complete\": false"));
    CHECK(j && strstr(j, "\"kind\": \"script\",\n      \"url\": "
                         "\"https://connect.facebook.net/en_US/fbevents.js\",\n      \"page_url\": "
                         "\"https://h.example/find-a-doctor\",\n      \"error\": "
                         "\"net::ERR_NAME_NOT_RESOLVED\",\n      \"tracker_id\": \"meta-pixel\",\n"
                         "      \"tracker\": \"Meta Pixel\",\n      \"occurrences\": 3"));
    CHECK(j && strstr(j, "\"kind\": \"page\",\n      \"url\": \"https://h.example/never\",\n"
                         "      \"page_url\": null"));
    CHECK(j && strstr(j, "\"occurrences\": 1")); /* pages 0 reads as 1 */
    free(j);
    r = result(0);
    j = render(&r, PW_REPORT_JSON);
    CHECK(j && strstr(j, "\"complete\": true"));
    CHECK(j && strstr(j, "\"incomplete_reasons\": []"));
    free(j);
}

static void sarif(void)
{
    pw_scan_result r = result(1);
    char *s = render(&r, PW_REPORT_SARIF);
    CHECK(s && strstr(s, "\"executionSuccessful\": false"));
    size_t n = 0;
    for (const char *p = s; p && (p = strstr(p, "\"id\": \"PW-INCOMPLETE\"")); p++)
        n++;
    CHECK_INT(n, 3);
    CHECK(s && strstr(s, "Incomplete scan: script connect.facebook.net/en_US/fbevents.js "
                         "(Meta Pixel): net::ERR_NAME_NOT_RESOLVED"));
    CHECK(s && strstr(s, "\"uri\": \"https://h.example/find-a-doctor\""));
    free(s);
    r = result(0);
    s = render(&r, PW_REPORT_SARIF);
    CHECK(s && strstr(s, "\"executionSuccessful\": true"));
    CHECK(s && !strstr(s, "PW-INCOMPLETE"));
    free(s);
}

static void html(void)
{
    pw_scan_result r = result(1);
    char *h = render(&r, PW_REPORT_HTML);
    CHECK(h && strstr(h, "<b>INCOMPLETE — this is not a clean result.</b> 2 tracker scripts"));
    CHECK(h && strstr(h, "<li>script www.googletagmanager.com/gtm.js: HTTP 404 — on "
                         "https://h.example/</li>"));
    CHECK(h && strstr(h, "incomplete</b> (see the banner above)"));
    free(h);
    r = result(0);
    h = render(&r, PW_REPORT_HTML);
    CHECK(h && !strstr(h, "INCOMPLETE") && !strstr(h, "class=\"incomplete\""));
    free(h);
}

/* A page's query holds what the visitor typed. Every human-readable line about a gap — the text
 * headline and lines, the HTML banner, the SARIF message and its properties.url — names a URL
 * with its query values masked, names kept (pw_report_url_masked); the JSON keeps it whole. */
static void query_values_masked(void)
{
    static const pw_capture_gap g[] = {
        {.kind = PW_GAP_PAGE,
         .url = "https://h.example/confirm?first_name=Zelda&dob=1990-01-02",
         .error = "timeout"},
        {.kind = PW_GAP_SCRIPT,
         .url = "https://www.googletagmanager.com/gtm.js?id=GTM-X",
         .page_url = "https://h.example/search?q=hiv+test",
         .error = "HTTP 404"},
    };
    pw_scan_result r = {.target = "https://h.example/", .gaps = g, .n_gaps = 2};
    const char *masked = "https://h.example/confirm?first_name=…&dob=…";
    for (int f = PW_REPORT_TEXT; f <= PW_REPORT_HTML; f++) {
        char *out = render(&r, (pw_report_format)f);
        int json = f == PW_REPORT_JSON;
        CHECK(out && (strstr(out, "Zelda") != NULL) == json);
        CHECK(out && (strstr(out, "1990-01-02") != NULL) == json);
        CHECK(out && (strstr(out, "hiv") != NULL) == json);
        CHECK(out && (strstr(out, "first_name=") != NULL)); /* the names stay */
        free(out);
    }
    char *t = render(&r, PW_REPORT_TEXT);
    CHECK(t && strstr(t, "1 page did not load or timed out (https://h.example/confirm?first_name=…"
                         "&dob=…: timeout)"));
    CHECK(t && strstr(t, "\n  - page https://h.example/confirm?first_name=…&dob=…: timeout\n"));
    free(t);
    char *s = render(&r, PW_REPORT_SARIF);
    pw_buf want;
    pw_buf_init(&want);
    pw_buf_printf(&want, "\"url\": \"%s\"", masked);
    CHECK(s && want.data && strstr(s, want.data));
    CHECK(s && strstr(s, "\"url\": \"https://www.googletagmanager.com/gtm.js?id=…\""));
    CHECK(s && strstr(s, "\"uri\": \"https://h.example/search\""));
    pw_buf_free(&want);
    free(s);
}

/* ---- HAR: the error of each entry ---- */

typedef struct errs {
    int n;
    char err[8][96];
    int status[8];
} errs;

static pw_status keep_error(void *ctx, const pw_request *r, pw_err *err)
{
    (void)err;
    errs *e = ctx;
    if (e->n < 8) {
        snprintf(e->err[e->n], sizeof e->err[0], "%s", r->error ? r->error : "-");
        e->status[e->n] = r->status;
    }
    e->n++;
    return PW_OK;
}

#define ENTRY(url, resp) \
    "{\"request\":{\"method\":\"GET\",\"url\":\"" url "\",\"headers\":[]}" resp "}"

static void har_errors(void)
{
    const char *j = "{\"log\":{\"entries\":[" ENTRY(
        "https://connect.facebook.net/en_US/fbevents.js",
        ",\"respo"
        "nse\":{"
        "\"status"
        "\":0,\"_"
        "error\":"
        "\"net::"
        "ERR_"
        "BLOCKED_"
        "BY_"
        "CLIENT\""
        "}") "," ENTRY("https://a.example/gtag.js",
                       ",\"response\":{\"status\":0}") "," ENTRY("https://a.example/ok.js",
                                                                 ",\"response\":{\"_error\":null,"
                                                                 "\"status\":"
                                                                 "200}") "," ENTRY("https://"
                                                                                   "a.example/"
                                                                                   "none.js",
                                                                                   "") "," ENTRY("h"
                                                                                                 "t"
                                                                                                 "t"
                                                                                                 "p"
                                                                                                 "s"
                                                                                                 ":"
                                                                                                 "/"
                                                                                                 "/"
                                                                                                 "a"
                                                                                                 "."
                                                                                                 "e"
                                                                                                 "x"
                                                                                                 "a"
                                                                                                 "m"
                                                                                                 "p"
                                                                                                 "l"
                                                                                                 "e"
                                                                                                 "/"
                                                                                                 "4"
                                                                                                 "0"
                                                                                                 "4"
                                                                                                 "."
                                                                                                 "j"
                                                                                                 "s",
                                                                                                 ","
                                                                                                 "\"response"
                                                                                                 "\":{"
                                                                                                 "\"status\":"
                                                                                                 "\"404\",\"_"
                                                                                                 "e"
                                                                                                 "r"
                                                                                                 "r"
                                                                                                 "o"
                                                                                                 "r"
                                                                                                 "\":"
                                                                                                 "\"\"}") "]}"
                                                                                                          "}";
    errs e = {0};
    FILE *f = fmemopen((void *)j, strlen(j), "r");
    pw_capture_sink sink = {NULL, keep_error, &e, NULL};
    pw_err err;
    CHECK(pw_har_read(f, "t.har", &sink, &err) == PW_OK);
    fclose(f);
    CHECK_INT(e.n, 5);
    CHECK_STR(e.err[0], "net::ERR_BLOCKED_BY_CLIENT");
    CHECK_STR(e.err[1], "no response (status 0: blocked, failed or cancelled)");
    CHECK_STR(e.err[2], "-");
    CHECK_STR(e.err[3], "-"); /* no response object: nothing says it failed */
    CHECK_STR(e.err[4], "-");
    CHECK_INT(e.status[4], 404);
}

static void har_write_error(void)
{
    char path[] = "/tmp/pw_test_har_errXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    pw_har_writer *w = NULL;
    pw_err err;
    CHECK(pw_har_writer_open(path, "test", &w, &err) == PW_OK);
    pw_request q = {.method = "GET",
                    .url = "https://connect.facebook.net/en_US/fbevents.js",
                    .page_url = "https://h.example/",
                    .resource_type = "script",
                    .source = PW_SOURCE_BROWSER,
                    .error = "net::ERR_NAME_NOT_RESOLVED"};
    CHECK(pw_har_writer_add_request(w, &q, &err) == PW_OK);
    q.url = "https://h.example/site.js";
    q.error = NULL;
    q.status = 200;
    CHECK(pw_har_writer_add_request(w, &q, &err) == PW_OK);
    CHECK(pw_har_writer_close(w, &err) == PW_OK);
    errs e = {0};
    FILE *f = fopen(path, "rb");
    pw_capture_sink sink = {NULL, keep_error, &e, NULL};
    CHECK(f && pw_har_read(f, path, &sink, &err) == PW_OK);
    if (f)
        fclose(f);
    remove(path);
    close(fd);
    CHECK_INT(e.n, 2);
    CHECK_STR(e.err[0], "net::ERR_NAME_NOT_RESOLVED");
    CHECK_INT(e.status[0], 0);
    CHECK_STR(e.err[1], "-");
}

static void gap_names(void)
{
    CHECK_STR(pw_gap_kind_name(PW_GAP_SCRIPT), "script");
    CHECK_STR(pw_gap_kind_name(PW_GAP_FRAME), "frame");
    CHECK_STR(pw_gap_kind_name(PW_GAP_PAGE), "page");
    CHECK_STR(pw_gap_kind_name(PW_GAP_LOGIN), "login");
    CHECK_STR(pw_gap_kind_name(PW_GAP_BROWSER), "browser");
    CHECK_STR(pw_gap_kind_name(PW_GAP_ERROR_PAGE), "error-page");
    CHECK_STR(pw_gap_kind_name(PW_GAP__COUNT), "unknown");
    pw_gap_kind k = PW_GAP__COUNT;
    CHECK_INT(pw_gap_kind_parse("error-page", &k), 0);
    CHECK_INT(k, PW_GAP_ERROR_PAGE);
}

/* A gap on many pages: JSON lists every page the gap keeps (page_urls) and how many more
 * (more_pages; null when unknown), text and SARIF name three and count the rest, HTML names all
 * it keeps. */
static void many_pages(void)
{
    static const char *const five[] = {"https://h.example/a", "https://h.example/b",
                                       "https://h.example/c?q=x", "https://h.example/d",
                                       "https://h.example/e"};
    static const char *const two[] = {"https://h.example/a", "https://h.example/b"};
    pw_capture_gap g[] = {{.kind = PW_GAP_SCRIPT,
                           .url = "https://www.googletagmanager.com/gtm.js",
                           .page_url = five[0],
                           .error = "HTTP 404",
                           .pages = 20,
                           .page_urls = five,
                           .n_page_urls = 5,
                           .more_pages = 1,
                           .n_more_pages = 7},
                          {.kind = PW_GAP_SCRIPT,
                           .url = "https://connect.facebook.net/en_US/fbevents.js",
                           .page_url = two[0],
                           .error = "HTTP 500",
                           .pages = 2,
                           .page_urls = two,
                           .n_page_urls = 2},
                          {.kind = PW_GAP_FRAME,
                           .url = "https://td.doubleclick.net/x",
                           .page_url = two[1],
                           .error = "net::ERR_FAILED",
                           .pages = 4,
                           .more_pages = 1}};
    pw_scan_result r = {.target = "https://h.example/", .gaps = g, .n_gaps = 3};
    char *t = render(&r, PW_REPORT_TEXT);
    CHECK(t && strstr(t, "\n  - script www.googletagmanager.com/gtm.js: HTTP 404 — on "
                         "https://h.example/a, https://h.example/b, https://h.example/c?q=… and "
                         "9 more pages (20 times)\n"));
    CHECK(t && strstr(t, "\n  - script connect.facebook.net/en_US/fbevents.js: HTTP 500 — on "
                         "https://h.example/a and https://h.example/b (2 times)\n"));
    CHECK(t && strstr(t, "\n  - frame td.doubleclick.net/x: net::ERR_FAILED — on "
                         "https://h.example/b and more pages (4 times)"));
    free(t);
    char *j = render(&r, PW_REPORT_JSON);
    CHECK(j && strstr(j, "\"occurrences\": 20,\n      \"page_urls\": [\n        "
                         "\"https://h.example/a\",\n        \"https://h.example/b\",\n        "
                         "\"https://h.example/c?q=x\",\n        \"https://h.example/d\",\n        "
                         "\"https://h.example/e\"\n      ],\n      \"more_pages\": 7"));
    CHECK(j && strstr(j, "\"https://h.example/b\"\n      ],\n      \"more_pages\": 0"));
    CHECK(j && strstr(j, "\"page_urls\": [\n        \"https://h.example/b\"\n      ],\n"
                         "      \"more_pages\": null"));
    free(j);
    char *h = render(&r, PW_REPORT_HTML);
    CHECK(h && strstr(h, "<li>script www.googletagmanager.com/gtm.js: HTTP 404 — on "
                         "https://h.example/a, https://h.example/b, https://h.example/c?q=…, "
                         "https://h.example/d, https://h.example/e and 7 more pages (20 "
                         "times)</li>"));
    free(h);
    char *sa = render(&r, PW_REPORT_SARIF);
    CHECK(sa && strstr(sa, "https://h.example/c?q=… and 9 more pages (20 times)."));
    free(sa);
}

/* A page that answered an HTTP error (a broken link) is said apart in every format — the result
 * stays complete (JSON complete, SARIF successful, no INCOMPLETE line or banner) while the page
 * is listed (JSON error_pages, an ERROR PAGES line, an HTML note, a SARIF warning); with a real
 * gap beside it, only the real gap makes the result incomplete. Earlier versions made it a page
 * gap: incomplete, exit 4. */
static void error_pages(void)
{
    static const pw_capture_gap err[] = {
        {.kind = PW_GAP_ERROR_PAGE,
         .url = "https://h.example/gone",
         .error = "page answered HTTP 404"},
        {.kind = PW_GAP_PAGE,
         .url = "https://h.example/never",
         .error = "no load event within 3 s"},
    };
    pw_scan_result r = {
        .target = "https://h.example/", .source = PW_SOURCE_BROWSER, .gaps = err, .n_gaps = 1};
    CHECK_INT(pw_report_incomplete_count(&r), 0);
    char *t = render(&r, PW_REPORT_TEXT);
    CHECK(t && strstr(t, "INCOMPLETE") == NULL);
    CHECK(t && strstr(t, "\nERROR PAGES: 1 page answered an HTTP error (https://h.example/gone: "
                         "page answered HTTP 404)") != NULL);
    CHECK(t &&
          strstr(t, "\n  - error-page https://h.example/gone: page answered HTTP 404") != NULL);
    free(t);
    char *j = render(&r, PW_REPORT_JSON);
    CHECK(j && strstr(j, "\"complete\": true") != NULL);
    CHECK(j && strstr(j, "\"incomplete_reasons\": []") != NULL);
    CHECK(j && strstr(j, "\"error_pages\": [") != NULL &&
          strstr(j, "\"kind\": \"error-page\"") != NULL);
    free(j);
    char *h = render(&r, PW_REPORT_HTML);
    CHECK(h && strstr(h, "role=\"alert\"") == NULL && strstr(h, "INCOMPLETE") == NULL);
    CHECK(h && strstr(h, "<b>Error pages.</b> 1 page answered an HTTP error") != NULL);
    free(h);
    char *sf = render(&r, PW_REPORT_SARIF);
    CHECK(sf && strstr(sf, "\"executionSuccessful\": true") != NULL);
    CHECK(sf && strstr(sf, "PW-ERROR-PAGE") != NULL && strstr(sf, "PW-INCOMPLETE") == NULL);
    free(sf);
    r.n_gaps = 2; /* with a page that did not load: incomplete, for that page alone */
    CHECK_INT(pw_report_incomplete_count(&r), 1);
    pw_buf b;
    pw_buf_init(&b);
    pw_report_incomplete_headline(&r, &b);
    CHECK_STR(b.data, "1 page did not load or timed out (https://h.example/never: no load event "
                      "within 3 s)");
    pw_buf_free(&b);
    j = render(&r, PW_REPORT_JSON);
    CHECK(j && strstr(j, "\"complete\": false") != NULL);
    free(j);
}

PW_TEST_MAIN(PW_TEST(headline), PW_TEST(text), PW_TEST(json), PW_TEST(sarif), PW_TEST(html),
             PW_TEST(har_errors), PW_TEST(har_write_error), PW_TEST(gap_names),
             PW_TEST(query_values_masked), PW_TEST(many_pages), PW_TEST(error_pages))
