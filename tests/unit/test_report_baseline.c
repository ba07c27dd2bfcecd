/* test_report_baseline.c — comparing a scan with an earlier one: a JSON report read back as a
 * baseline keeps each finding's fingerprint, rule, severity, tracker, account and page; findings
 * are matched on the fingerprint as multisets (new / unchanged / gone), a query change on the
 * same page is no new finding, a raised severity counts as news for --fail-on, and every format
 * shows the comparison. Bad baselines give an error naming the file and the place. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "report/report_internal.h"

/* A finding with what the reports need; tracker NULL (fingerprint "rule||account|page"). */
#define FINDING(rule, sev, acct, page, n)                                                      \
    {                                                                                          \
        .rule_id = (rule), .severity = (sev), .account_id = (acct), .page_url = (page),        \
        .occurrences = (n), .page_variants = 1, .title = "t", .legal = "l", .remediation = "r" \
    }

/* Reports list each page with its context (parallel to pages). */
static const pw_hhs_context no_contexts[4];

static pw_finding finding(const char *rule, pw_severity sev, const char *acct, const char *page)
{
    pw_finding f = FINDING(rule, sev, acct, page, 2);
    return f;
}

static char *render(const pw_scan_result *r, pw_report_format fmt, const pw_baseline_diff *d)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "test", .baseline = d};
    CHECK(pw_report_render(r, fmt, &o, &b, NULL) == PW_OK);
    return pw_buf_steal(&b, NULL);
}

/* r rendered as JSON and read back as a baseline. */
static pw_baseline *baseline_of(const pw_scan_result *r)
{
    char *json = render(r, PW_REPORT_JSON, NULL);
    pw_baseline *b = NULL;
    pw_err err;
    CHECK(pw_baseline_parse(json, strlen(json), "old.json", &b, &err) == PW_OK);
    free(json);
    return b;
}

static const pw_finding old_findings[] = {
    FINDING("PW-FORM-VALUES", PW_SEV_CRITICAL, "111",
            "https://h.org/appointments/confirm?first=Jane", 3),
    FINDING("PW-CONDITION-URL", PW_SEV_MEDIUM, "111", "https://h.org/conditions/asthma", 1),
    FINDING("PW-CONDITION-URL", PW_SEV_MEDIUM, "222", "https://h.org/conditions/asthma", 1),
};

static void read_back(void)
{
    pw_scan_result old = {.target = "https://h.org/",
                          .source = PW_SOURCE_BROWSER,
                          .findings = old_findings,
                          .n_findings = 3,
                          .captured_first = 1.7e9,
                          .captured_last = 1.7e9 + 60};
    pw_baseline *b = baseline_of(&old);
    if (!b)
        return;
    CHECK_STR(pw_baseline_name(b), "old.json");
    CHECK_STR(pw_baseline_target(b), "https://h.org/");
    CHECK_STR(pw_baseline_captured(b), "2023-11-14T22:13:20Z");
    CHECK_INT(pw_baseline_count(b), 3);
    const pw_baseline_finding *f = pw_baseline_at(b, 0);
    CHECK_STR(f->fingerprint, "PW-FORM-VALUES||111|h.org/appointments/confirm");
    CHECK_STR(f->rule_id, "PW-FORM-VALUES");
    CHECK_INT(f->severity, PW_SEV_CRITICAL);
    CHECK_STR(f->account_id, "111");
    CHECK_STR(f->page_url, "https://h.org/appointments/confirm?first=Jane");
    CHECK_INT(f->occurrences, 3);
    CHECK(pw_baseline_at(b, 3) == NULL);
    pw_baseline_free(b);
}

static void compare(void)
{
    pw_scan_result old = {.target = "https://h.org/", .findings = old_findings, .n_findings = 3};
    pw_baseline *b = baseline_of(&old);
    if (!b)
        return;
    /* the form finding again, from another submission (query) and now on two pages' worth;
     * account 111's condition finding raised to high; account 222's gone; one new */
    pw_finding now[] = {
        finding("PW-FORM-VALUES", PW_SEV_CRITICAL, "111",
                "https://h.org/appointments/confirm?first=Maria"),
        finding("PW-CONDITION-URL", PW_SEV_HIGH, "111", "https://h.org/conditions/asthma"),
        finding("PW-SEARCH-TERM", PW_SEV_HIGH, "111", "https://h.org/search?q=hiv"),
    };
    /* the scan visited the asthma page: account 222's finding there is gone, not unchecked */
    static const pw_page pages[] = {{.url = "https://h.org/appointments/confirm?first=Maria"},
                                    {.url = "https://h.org/conditions/asthma"},
                                    {.url = "https://h.org/search?q=hiv"}};
    pw_scan_result r = {.findings = now,
                        .n_findings = 3,
                        .pages = pages,
                        .n_pages = 3,
                        .page_contexts = no_contexts};
    pw_baseline_diff d;
    CHECK(pw_baseline_compare(b, &r, &d, NULL) == PW_OK);
    CHECK_INT(d.n_unchecked, 0);
    CHECK_INT(d.n_new, 1);
    CHECK_INT(d.n_unchanged, 2);
    CHECK_INT(d.n_gone, 1);
    CHECK_INT(d.state[0], PW_BASELINE_UNCHANGED);
    CHECK_INT(d.was[0], PW_SEV_CRITICAL);
    CHECK_INT(d.state[1], PW_BASELINE_UNCHANGED);
    CHECK_INT(d.was[1], PW_SEV_MEDIUM);
    CHECK_INT(d.state[2], PW_BASELINE_NEW);
    CHECK_INT(d.was[2], -1);
    CHECK_STR(d.gone[0]->account_id, "222");
    CHECK(!pw_baseline_is_news(&d, &r, 0)); /* same severity */
    CHECK(pw_baseline_is_news(&d, &r, 1));  /* medium -> high */
    CHECK(pw_baseline_is_news(&d, &r, 2));  /* new */

    char *text = render(&r, PW_REPORT_TEXT, &d);
    CHECK(strstr(text, "Since the baseline old.json: 1 new, 2 unchanged, 1 gone") != NULL);
    CHECK(strstr(text, "high (was medium)") != NULL);
    CHECK(strstr(text, "high (new)") != NULL);
    CHECK(strstr(text, "Gone since the baseline (1)") != NULL);
    CHECK(strstr(text, "[high, new since the baseline] PW-SEARCH-TERM") != NULL);
    CHECK(strstr(text, "[high, medium in the baseline] PW-CONDITION-URL") != NULL);
    free(text);
    char *json = render(&r, PW_REPORT_JSON, &d);
    CHECK(strstr(json, "\"baseline\": {\n        \"state\": \"new\"\n      }") != NULL);
    CHECK(strstr(json, "\"state\": \"unchanged\",\n        \"severity\": \"medium\"") != NULL);
    CHECK(strstr(json, "\"new\": 1") != NULL);
    CHECK(strstr(json, "\"fingerprint\": \"PW-CONDITION-URL||222|h.org/conditions/asthma\"") !=
          NULL);
    free(json);
    char *sarif = render(&r, PW_REPORT_SARIF, &d);
    CHECK(strstr(sarif, "\"baselineState\": \"new\"") != NULL);
    CHECK(strstr(sarif, "\"baselineState\": \"updated\"") != NULL);
    CHECK(strstr(sarif, "\"baselineState\": \"unchanged\"") != NULL);
    free(sarif);
    char *html = render(&r, PW_REPORT_HTML, &d);
    CHECK(strstr(html, "<span class=\"since new\">new</span>") != NULL);
    CHECK(strstr(html, "<span class=\"since\">was medium</span>") != NULL);
    CHECK(strstr(html, "<h2>Since the baseline</h2>") != NULL);
    free(html);
    /* without a baseline nothing of it is shown */
    text = render(&r, PW_REPORT_TEXT, NULL);
    CHECK(strstr(text, "baseline") == NULL && strstr(text, "(new)") == NULL);
    free(text);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
}

/* Two findings with one fingerprint (PW-CONSENT per consent state) pair one to one: a third one
 * is new, a missing one gone. */
static void multiset(void)
{
    pw_finding two[] = {
        finding("PW-CONSENT", PW_SEV_HIGH, "1", "https://h.org/a"),
        finding("PW-CONSENT", PW_SEV_MEDIUM, "1", "https://h.org/a"),
    };
    pw_scan_result old = {.findings = two, .n_findings = 2};
    pw_baseline *b = baseline_of(&old);
    if (!b)
        return;
    pw_finding three[] = {two[0], two[1],
                          finding("PW-CONSENT", PW_SEV_LOW, "1", "https://h.org/a")};
    static const pw_page page_a = {.url = "https://h.org/a"};
    pw_scan_result r = {.findings = three,
                        .n_findings = 3,
                        .pages = &page_a,
                        .n_pages = 1,
                        .page_contexts = no_contexts};
    pw_baseline_diff d;
    CHECK(pw_baseline_compare(b, &r, &d, NULL) == PW_OK);
    CHECK_INT(d.n_unchanged, 2);
    CHECK_INT(d.n_new, 1);
    CHECK_INT(d.state[2], PW_BASELINE_NEW);
    CHECK_INT(d.was[0], PW_SEV_HIGH); /* highest paired with highest */
    CHECK_INT(d.was[1], PW_SEV_MEDIUM);
    pw_baseline_diff_free(&d);
    /* one left: it pairs with the baseline's finding of its own severity first */
    pw_scan_result one = {.findings = two + 1,
                          .n_findings = 1,
                          .pages = &page_a,
                          .n_pages = 1,
                          .page_contexts = no_contexts};
    CHECK(pw_baseline_compare(b, &one, &d, NULL) == PW_OK);
    CHECK_INT(d.n_gone, 1);
    CHECK_INT(d.gone[0]->severity, PW_SEV_HIGH);
    CHECK_INT(d.was[0], PW_SEV_MEDIUM);
    pw_baseline_diff_free(&d);
    pw_finding raised = finding("PW-CONSENT", PW_SEV_CRITICAL, "1", "https://h.org/a");
    pw_scan_result up = {.findings = &raised,
                         .n_findings = 1,
                         .pages = &page_a,
                         .n_pages = 1,
                         .page_contexts = no_contexts};
    CHECK(pw_baseline_compare(b, &up, &d, NULL) == PW_OK);
    CHECK_INT(d.was[0], PW_SEV_HIGH); /* no equal severity: highest with highest */
    CHECK_INT(d.gone[0]->severity, PW_SEV_MEDIUM);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    /* two equal ones in the baseline, one in the scan: one pair, one gone (never one scan
     * finding paired twice) */
    pw_finding same[] = {two[1], two[1]};
    pw_scan_result old2 = {.findings = same, .n_findings = 2};
    b = baseline_of(&old2);
    if (!b)
        return;
    CHECK(pw_baseline_compare(b, &one, &d, NULL) == PW_OK);
    CHECK_INT(d.n_unchanged, 1);
    CHECK_INT(d.n_gone, 1);
    CHECK_INT(d.n_new, 0);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
}

/* A baseline finding absent from the scan is gone only when the scan looked where it was: its
 * page not visited, its page failed, a tracker script failed on it (or its own tracker's
 * anywhere), or a scan of HTML alone after one of traffic — each is "not rechecked", with why,
 * and none counts as a fix in any format. */
static void unchecked(void)
{
    pw_tracker meta = {.id = "meta-pixel", .product = "Meta Pixel"};
    pw_finding old_f[] = {
        finding("PW-CONDITION-URL", PW_SEV_HIGH, "1", "https://h.org/conditions/asthma"),
        finding("PW-CONDITION-URL", PW_SEV_HIGH, "1", "https://h.org/conditions/flu"),
        finding("PW-CONDITION-URL", PW_SEV_MEDIUM, "1", "https://h.org/conditions/gout?x=1"),
        finding("PW-CONDITION-URL", PW_SEV_LOW, "1", "https://h.org/conditions/acne"),
        finding("PW-CONDITION-URL", PW_SEV_LOW, "1", "https://h.org/conditions/hiv"),
    };
    old_f[3].tracker = &meta;
    pw_scan_result old = {.source = PW_SOURCE_BROWSER, .findings = old_f, .n_findings = 5};
    pw_baseline *b = baseline_of(&old);
    if (!b)
        return;
    CHECK_STR(pw_baseline_at(b, 3)->tracker_id, "meta-pixel");
    /* asthma: visited, clean (gone); flu: not visited; gout: its page failed; acne: Meta's
     * script failed on another page; hiv: a tag manager's script failed on it */
    static const pw_page pages[] = {{.url = "https://H.org/conditions/asthma?utm=1"},
                                    {.url = "https://h.org/conditions/gout"},
                                    {.url = "https://h.org/conditions/acne"},
                                    {.url = "https://h.org/conditions/hiv"}};
    static const pw_capture_gap gaps[] = {
        {.kind = PW_GAP_PAGE, .url = "https://h.org/conditions/gout?x=2", .error = "timeout"},
        {.kind = PW_GAP_SCRIPT,
         .url = "https://connect.facebook.net/fbevents.js",
         .page_url = "https://h.org/other",
         .tracker_id = "meta-pixel"},
        {.kind = PW_GAP_SCRIPT,
         .url = "https://www.googletagmanager.com/gtm.js",
         .page_url = "https://h.org/conditions/hiv",
         .tracker_id = "google-tag-manager"},
    };
    pw_scan_result r = {.source = PW_SOURCE_BROWSER,
                        .pages = pages,
                        .n_pages = 4,
                        .page_contexts = no_contexts,
                        .gaps = gaps,
                        .n_gaps = 3};
    pw_baseline_diff d;
    CHECK(pw_baseline_compare(b, &r, &d, NULL) == PW_OK);
    CHECK_INT(d.n_gone, 1);
    CHECK_INT(d.n_unchecked, 4);
    if (d.n_gone == 1 && d.n_unchecked == 4) {
        CHECK_STR(d.gone[0]->page_url, "https://h.org/conditions/asthma");
        CHECK_STR(d.unchecked[0]->page_url, "https://h.org/conditions/flu");
        CHECK_INT(d.unchecked_why[0], PW_UNCHECKED_PAGE_NOT_VISITED);
        CHECK_INT(d.unchecked_why[1], PW_UNCHECKED_PAGE_FAILED);
        CHECK_INT(d.unchecked_why[2], PW_UNCHECKED_TRACKER_FAILED);
        CHECK_STR(d.unchecked[3]->page_url, "https://h.org/conditions/hiv");
        CHECK_INT(d.unchecked_why[3], PW_UNCHECKED_TRACKER_FAILED);
    }
    char *text = render(&r, PW_REPORT_TEXT, &d);
    CHECK(strstr(text, "0 new, 0 unchanged, 1 gone, 4 not rechecked") != NULL);
    CHECK(strstr(text, "Not rechecked (4)") != NULL);
    CHECK(strstr(text, "- its page was not visited by this scan (1)") != NULL);
    CHECK(strstr(text, "- its page did not load in this scan, or answered an HTTP error (1)") !=
          NULL);
    free(text);
    char *json = render(&r, PW_REPORT_JSON, &d);
    CHECK(strstr(json, "\"reason\": \"page_not_visited\"") != NULL);
    CHECK(strstr(json, "\"reason\": \"page_failed\"") != NULL);
    CHECK(strstr(json, "\"not_rechecked\": [") != NULL);
    free(json);
    char *html = render(&r, PW_REPORT_HTML, &d);
    CHECK(strstr(html, "1 gone, 4 not rechecked") != NULL);
    CHECK(strstr(html, "<th>Why not rechecked</th>") != NULL);
    free(html);
    pw_baseline_diff_free(&d);

    /* HTML alone after a scan of traffic: nothing absent is rechecked, even on visited pages */
    pw_scan_result tags = {
        .source = PW_SOURCE_STATIC, .pages = pages, .n_pages = 4, .page_contexts = no_contexts};
    CHECK(pw_baseline_compare(b, &tags, &d, NULL) == PW_OK);
    CHECK_INT(d.n_gone, 0);
    CHECK_INT(d.n_unchecked, 5);
    CHECK_INT(d.unchecked_why[0], PW_UNCHECKED_NO_TRAFFIC);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);

    /* a static baseline, rescanned statically: the tags were looked for again */
    old.source = PW_SOURCE_STATIC;
    b = baseline_of(&old);
    if (!b)
        return;
    CHECK(pw_baseline_compare(b, &tags, &d, NULL) == PW_OK);
    CHECK_INT(d.n_unchecked, 1); /* flu: not visited */
    CHECK_INT(d.n_gone, 4);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
}

/* The reason of the (only) absent finding of b against r: 0 when it is gone. */
static int absent_reason(const pw_baseline *b, const pw_scan_result *r)
{
    pw_baseline_diff d;
    CHECK(pw_baseline_compare(b, r, &d, NULL) == PW_OK);
    CHECK_INT(d.n_gone + d.n_unchecked, 1);
    int why = d.n_unchecked == 1 ? (int)d.unchecked_why[0] : 0;
    pw_baseline_diff_free(&d);
    return why;
}

/* A tag manager that failed on every page hides the tags it loads on each of them, not only on
 * the first page its merged gap names; pages past what a gap lists, dropped gaps, a failed login
 * (for a finding of the logged-in area) and a browser that did not start (after a baseline of
 * traffic only) leave a finding not rechecked — and a static baseline rescanned statically, or a
 * clean page the scan could see, is still gone. */
static void unchecked_gaps(void)
{
    pw_finding old_f[] = {finding("PW-AUTH-TRACKER", PW_SEV_HIGH, "1", "https://h.org/portal/x")};
    old_f[0].context = PW_CTX_AUTHENTICATED;
    pw_scan_result old = {.source = PW_SOURCE_BROWSER, .findings = old_f, .n_findings = 1};
    pw_baseline *b = baseline_of(&old);
    if (!b)
        return;
    CHECK_STR(pw_baseline_at(b, 0)->context, "authenticated");
    static const pw_page pages[] = {{.url = "https://h.org/"}, {.url = "https://h.org/portal/x"}};
    pw_scan_result r = {
        .source = PW_SOURCE_BROWSER, .pages = pages, .n_pages = 2, .page_contexts = no_contexts};
    CHECK_INT(absent_reason(b, &r), 0); /* looked where it was: gone */

    /* gtm.js failed on the home page first, then on the portal page: both listed */
    static const char *const both[] = {"https://h.org/", "https://h.org/portal/x?a=1"};
    pw_capture_gap gtm = {.kind = PW_GAP_SCRIPT,
                          .url = "https://www.googletagmanager.com/gtm.js",
                          .page_url = "https://h.org/",
                          .tracker_id = "google-tag-manager",
                          .pages = 2,
                          .page_urls = both,
                          .n_page_urls = 2};
    r.gaps = &gtm;
    r.n_gaps = 1;
    CHECK_INT(absent_reason(b, &r), PW_UNCHECKED_TRACKER_FAILED);
    gtm.n_page_urls = 1; /* the home page only: the portal page was looked at */
    CHECK_INT(absent_reason(b, &r), 0);
    gtm.more_pages = 1; /* and pages not listed: any page may be one */
    CHECK_INT(absent_reason(b, &r), PW_UNCHECKED_TRACKER_FAILED);
    r.n_gaps = 0;

    /* gaps past the capture's bound were dropped: nothing is known to be clean */
    r.n_gaps_dropped = 3;
    CHECK_INT(absent_reason(b, &r), PW_UNCHECKED_TOO_MANY_GAPS);
    r.n_gaps_dropped = 0;

    /* the login failed: a finding of the logged-in area was not looked for */
    pw_capture_gap login = {.kind = PW_GAP_LOGIN, .url = "https://h.org/login", .error = "x"};
    r.gaps = &login;
    r.n_gaps = 1;
    CHECK_INT(absent_reason(b, &r), PW_UNCHECKED_LOGIN_FAILED);
    pw_baseline_diff d;
    CHECK(pw_baseline_compare(b, &r, &d, NULL) == PW_OK);
    char *json = render(&r, PW_REPORT_JSON, &d);
    CHECK(strstr(json, "\"reason\": \"login_failed\"") != NULL);
    free(json);
    char *text = render(&r, PW_REPORT_TEXT, &d);
    CHECK(strstr(text, "- its page is in the logged-in area, and this scan's login failed (1)") !=
          NULL);
    free(text);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    old_f[0].context = PW_CTX_CARE_INTENT; /* a public page: the login does not matter */
    b = baseline_of(&old);
    if (!b)
        return;
    CHECK_INT(absent_reason(b, &r), 0);
    pw_baseline_free(b);

    /* no browser (the static fallback) after a static baseline: rechecked as usual */
    old.source = PW_SOURCE_STATIC;
    b = baseline_of(&old);
    if (!b)
        return;
    pw_capture_gap nobrowser = {.kind = PW_GAP_BROWSER, .url = "/usr/bin/chromium"};
    pw_scan_result tags = {.source = PW_SOURCE_STATIC,
                           .pages = pages,
                           .n_pages = 2,
                           .page_contexts = no_contexts,
                           .gaps = &nobrowser,
                           .n_gaps = 1};
    CHECK_INT(absent_reason(b, &tags), 0);
    pw_baseline_free(b);
    old.source = PW_SOURCE_BROWSER; /* after a baseline of traffic: not rechecked */
    b = baseline_of(&old);
    if (!b)
        return;
    CHECK_INT(absent_reason(b, &tags), PW_UNCHECKED_NO_TRAFFIC);
    pw_baseline_free(b);
}

static void expect_error(const char *json, pw_status code, const char *msg)
{
    pw_baseline *b = (pw_baseline *)1;
    pw_err err;
    pw_err_clear(&err);
    CHECK_INT(pw_baseline_parse(json, strlen(json), "old.json", &b, &err), code);
    CHECK(b == NULL);
    if (!strstr(err.msg, msg)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, msg);
        CHECK(0);
    }
}

static void bad_input(void)
{
    expect_error("", PW_ERR_PARSE, "old.json: byte");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [}", PW_ERR_PARSE,
                 "not JSON (parse error");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [", PW_ERR_PARSE,
                 "old.json: byte");
    expect_error("[1, 2]", PW_ERR_INVALID, "old.json: not a phiwall JSON report");
    expect_error("{\"version\": \"2.1.0\", \"runs\": []}", PW_ERR_INVALID,
                 "old.json: not a phiwall JSON report (no tool.name \"phiwall\"; a SARIF log");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}}", PW_ERR_INVALID,
                 "old.json: findings: missing");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": {}}", PW_ERR_INVALID,
                 "old.json: findings: must be an array");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [{\"rule_id\": \"PW-X\", "
                 "\"fingerprint\": \"a\", \"severity\": \"high\"}, {\"rule_id\": \"PW-X\", "
                 "\"severity\": \"high\"}]}",
                 PW_ERR_INVALID, "old.json: findings[1].fingerprint: missing");
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [{\"rule_id\": \"PW-X\", "
                 "\"fingerprint\": \"a\", \"severity\": \"severe\"}]}",
                 PW_ERR_INVALID, "old.json: findings[0].severity: missing or not a severity");
    /* a finding's nested members of the same names do not count as its own */
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [{\"rule_id\": \"PW-X\", "
                 "\"severity\": \"high\", \"request\": {\"fingerprint\": \"a\"}}]}",
                 PW_ERR_INVALID, "findings[0].fingerprint: missing");
    /* a longer key that starts like a wanted one is not it */
    expect_error("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [{\"rule_id\": \"PW-X\", "
                 "\"severity\": \"high\", \"fingerprint_of_something_else\": \"a\"}]}",
                 PW_ERR_INVALID, "findings[0].fingerprint: missing");
    /* an empty report is a fine baseline: everything is new */
    const char *empty = "{\"tool\": {\"name\": \"phiwall\"}, \"findings\": []}";
    pw_baseline *b = NULL;
    CHECK(pw_baseline_parse(empty, strlen(empty), "e.json", &b, NULL) == PW_OK);
    CHECK(b && pw_baseline_count(b) == 0 && pw_baseline_target(b) == NULL);
    pw_baseline_free(b);
}

/* The baseline read from a file in runs (pw_baseline_parse_file: never held whole) says exactly
 * what the whole text does, errors and byte offsets included, wherever the runs end. */
static int same_as_whole(const char *json, size_t len)
{
    pw_baseline *a = NULL, *b = NULL;
    pw_err ea, eb;
    pw_err_clear(&ea);
    pw_status sa = pw_baseline_parse(json, len, "old.json", &a, &ea);
    int same = 1;
    for (size_t run = 1; run <= 65536; run = run < 8 ? run + 1 : run * 16) {
        FILE *f = tmpfile();
        CHECK(f != NULL);
        if (!f)
            return 0;
        fwrite(json, 1, len, f);
        rewind(f);
        pw_err_clear(&eb);
        pw_status sb = pw_baseline_parse_file_runs(f, run, "old.json", &b, &eb);
        fclose(f);
        int ok = sa == sb && strcmp(ea.msg, eb.msg) == 0 && (a == NULL) == (b == NULL) &&
                 (!a || pw_baseline_count(a) == pw_baseline_count(b));
        if (!ok)
            fprintf(stderr, "run %zu: whole %d '%s', runs %d '%s'\n", run, sa, ea.msg, sb, eb.msg);
        same = same && ok;
        pw_baseline_free(b);
    }
    pw_baseline_free(a);
    return same;
}

static void stream_runs(void)
{
    pw_scan_result old = {.target = "https://h.org/",
                          .findings = old_findings,
                          .n_findings = sizeof old_findings / sizeof old_findings[0]};
    char *json = render(&old, PW_REPORT_JSON, NULL);
    size_t n = strlen(json);
    CHECK(same_as_whole(json, n));
    CHECK(same_as_whole("", 0));
    CHECK(same_as_whole("{\"tool\": {\"name\": \"phiwall\"}}", 29));
    char *cut = malloc(n + 1);
    for (size_t i = 0; cut && i < n; i += 7) { /* a byte removed, or replaced by a quote */
        memcpy(cut, json, i);
        memcpy(cut + i, json + i + 1, n - i - 1);
        CHECK(same_as_whole(cut, n - 1));
        memcpy(cut, json, n);
        cut[i] = '"';
        CHECK(same_as_whole(cut, n));
        CHECK(same_as_whole(json, i)); /* cut short */
    }
    free(cut);
    free(json);
}

/* A baseline whose findings' records are all in memory, all in the temporary file, or split
 * between them gives the same findings and the same comparison in every format: 3,000 findings,
 * one in five absent from the new scan (gone where their page was visited, else unchecked), one
 * in seven at another severity, 300 new. */
static void records_on_disk(void)
{
    enum { N = 3000 };
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *old = pw_arena_calloc(&a, N, sizeof *old);
    pw_finding *now = pw_arena_calloc(&a, N + 300, sizeof *now);
    pw_page *pages = pw_arena_calloc(&a, N, sizeof *pages);
    pw_hhs_context *ctx = pw_arena_calloc(&a, N, sizeof *ctx);
    size_t n_now = 0, n_pages = 0, dropped = 0;
    for (size_t i = 0; old && now && pages && ctx && i < N; i++) {
        const char *page = pw_arena_sprintf(&a, "https://h.org/conditions/c%zu", i / 2);
        old[i] = finding(i % 2 ? "PW-CONDITION-URL" : "PW-TRACKER-PRESENT", (pw_severity)(i % 5),
                         pw_arena_sprintf(&a, "%zu", i % 3), page);
        if (i % 2 == 0 && i % 6 != 0)
            pages[n_pages++] = (pw_page){.url = page};
        if (i % 5 == 0) {
            dropped++;
            continue;
        }
        now[n_now] = old[i];
        if (i % 7 == 0)
            now[n_now].severity = (pw_severity)((i + 1) % 5);
        n_now++;
    }
    for (size_t i = 0; now && i < 300; i++)
        now[n_now++] = finding("PW-SEARCH-TERM", PW_SEV_HIGH, "9",
                               pw_arena_sprintf(&a, "https://h.org/search?q=%zu", i));
    pw_scan_result ro = {.target = "https://h.org/", .findings = old, .n_findings = N};
    pw_scan_result rn = {.target = "https://h.org/",
                         .findings = now,
                         .n_findings = n_now,
                         .pages = pages,
                         .n_pages = n_pages,
                         .page_contexts = ctx};
    char *json = render(&ro, PW_REPORT_JSON, NULL);
    size_t len = strlen(json);
    char *want[PW_REPORT_HTML + 1] = {0};
    const size_t mems[] = {SIZE_MAX, 1, 4096, 1u << 20};
    for (size_t m = 0; m < sizeof mems / sizeof *mems; m++) {
        FILE *f = tmpfile();
        CHECK(f && fwrite(json, 1, len, f) == len);
        rewind(f);
        pw_baseline *b = NULL;
        pw_err err;
        pw_err_clear(&err);
        CHECK(pw_baseline_parse_file_mem(f, 0, mems[m], "old.json", &b, &err) == PW_OK);
        fclose(f);
        if (!b)
            continue;
        CHECK_INT(pw_baseline_count(b), N);
        pw_baseline_diff d;
        CHECK(pw_baseline_compare(b, &rn, &d, &err) == PW_OK);
        CHECK_INT(d.n_gone + d.n_unchecked, dropped);
        CHECK(d.n_gone > 0 && d.n_unchecked > 0);
        CHECK_INT(d.n_new, 300);
        for (int fmt = 0; fmt < PW_REPORT_HTML + 1; fmt++) {
            char *out = render(&rn, (pw_report_format)fmt, &d);
            if (!want[fmt])
                want[fmt] = out;
            else {
                CHECK(out && strcmp(out, want[fmt]) == 0);
                free(out);
            }
        }
        CHECK_STR(pw_baseline_at(b, N - 1)->page_url, old[N - 1].page_url);
        CHECK_INT(pw_baseline_at(b, 7)->severity, old[7].severity);
        pw_baseline_diff_free(&d);
        pw_baseline_free(b);
    }
    for (int fmt = 0; fmt < PW_REPORT_HTML + 1; fmt++)
        free(want[fmt]);
    free(json);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(records_on_disk), PW_TEST(stream_runs), PW_TEST(read_back), PW_TEST(compare),
             PW_TEST(multiset), PW_TEST(unchecked), PW_TEST(unchecked_gaps), PW_TEST(bad_input))
