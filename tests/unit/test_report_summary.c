/*
 * test_report_summary.c — the scan reports as a privacy officer and a CI pipeline read them:
 * JSON and SARIF carry "received", what each tracker received (categories, never values); the
 * text and HTML tables show one row per tracker with its accounts listed (the text names three
 * and "N more"); the summary counts pages as the tables do (a URL without its query); the HTML
 * report prints a rule's "Why it matters" once; and gtag.js loading a GA4 stream on a portal
 * page is one PW-AUTH-TRACKER finding (the collector's, naming its loader), not two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "assess_har_case.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "pw_test_finding.h"
#include "report_fixture.h"

static yajl_val get(yajl_val v, const char *const *path)
{
    return v ? yajl_tree_get(v, (const char **)path, yajl_t_any) : NULL;
}

static const char *str_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = get(v, path);
    return YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;
}

/* The kind-of-field item `kind` of a "received" item, or NULL. */
static yajl_val field_of(yajl_val item, const char *kind)
{
    const char *path[] = {"fields", NULL};
    yajl_val fields = get(item, path);
    for (size_t i = 0; YAJL_IS_ARRAY(fields) && i < fields->u.array.len; i++) {
        const char *k = str_at(fields->u.array.values[i], "kind");
        if (k && strcmp(k, kind) == 0)
            return fields->u.array.values[i];
    }
    return NULL;
}

/* "[a,b]" of an array of strings, into out. */
static const char *joined(yajl_val arr, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++) {
        yajl_val s = arr->u.array.values[i];
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
                 YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : "?");
    }
    return out;
}

/* The "received" array checked on a parsed report: one item per tracker and account. */
static void check_received(yajl_val received)
{
    CHECK(YAJL_IS_ARRAY(received));
    if (!YAJL_IS_ARRAY(received))
        return;
    CHECK_INT(received->u.array.len, 2); /* accounts 111 and 222; the info finding is left out */
    yajl_val first = received->u.array.values[0];
    CHECK_STR(str_at(first, "tracker"), "meta-pixel");
    CHECK_STR(str_at(first, "name"), "Meta Pixel");
    CHECK_STR(str_at(first, "account_id"), "111");
    CHECK_STR(str_at(first, "worst_severity"), "critical");
    const char *n_path[] = {"findings", NULL};
    yajl_val n = get(first, n_path);
    CHECK(YAJL_IS_INTEGER(n) && YAJL_GET_INTEGER(n) == 2);
    char buf[256];
    const char *ctx_path[] = {"contexts", NULL};
    CHECK_STR(joined(get(first, ctx_path), buf, sizeof buf), "authenticated,condition");
    const char *cat_path[] = {"categories", NULL}, *hashed_path[] = {"hashed", NULL};
    yajl_val ud = field_of(first, "user_data"), fv = field_of(first, "form_value"),
             url = field_of(first, "page_url");
    CHECK(ud && fv && url);
    CHECK_STR(joined(get(ud, cat_path), buf, sizeof buf), "email");
    CHECK(YAJL_IS_TRUE(get(ud, hashed_path)));
    CHECK_STR(joined(get(fv, cat_path), buf, sizeof buf), "date_of_birth");
    CHECK(YAJL_IS_FALSE(get(fv, hashed_path)));
    CHECK_STR(joined(get(url, cat_path), buf, sizeof buf), ""); /* sent, nothing marked */
    yajl_val second = received->u.array.values[1];
    CHECK_STR(str_at(second, "account_id"), "222");
    CHECK_STR(str_at(second, "worst_severity"), "medium");
}

static const pw_finding *summary_findings(pw_finding *out)
{
    out[0] = rf_form_values("111");
    out[1] = rf_condition("111", "https://h.org/care/cancer");
    out[2] = rf_condition("222", "https://h.org/care/cancer");
    out[3] = rf_condition("999", "https://h.org/news");
    out[3].severity = PW_SEV_INFO;
    out[3].rule_id = "PW-TRACKER-PRESENT";
    return out;
}

/* JSON: "received" per tracker and account, categories only — the digest and the date typed
 * never appear in it (they are in the findings' evidence, which is what evidence is for). */
static void json_has_received(void)
{
    pw_finding f[4];
    pw_buf b;
    char *t = rf_render(PW_REPORT_JSON, summary_findings(f), 4, &b);
    char err[256];
    yajl_val doc = yajl_tree_parse(t, err, sizeof err);
    CHECK(doc != NULL);
    const char *path[] = {"received", NULL};
    check_received(get(doc, path));
    const char *rec = strstr(t, "\"received\":");
    CHECK(rec != NULL);
    CHECK(rec && !strstr(rec, HASH) && !strstr(rec, "1984-07-19"));
    yajl_tree_free(doc);
    pw_buf_free(&b);
}

/* SARIF: the same array as the run's property "received" (a property bag SARIF consumers keep
 * with the run); the results stay as they were. */
static void sarif_has_received(void)
{
    pw_finding f[4];
    pw_buf b;
    char *t = rf_render(PW_REPORT_SARIF, summary_findings(f), 4, &b);
    char err[256];
    yajl_val doc = yajl_tree_parse(t, err, sizeof err);
    CHECK(doc != NULL);
    const char *runs_path[] = {"runs", NULL};
    yajl_val runs = get(doc, runs_path);
    CHECK(YAJL_IS_ARRAY(runs) && runs->u.array.len == 1);
    if (YAJL_IS_ARRAY(runs) && runs->u.array.len == 1) {
        yajl_val run = runs->u.array.values[0];
        const char *rec_path[] = {"properties", "received", NULL};
        check_received(get(run, rec_path));
        const char *cat_path[] = {"properties", "catalog", NULL}, *res_path[] = {"results", NULL};
        CHECK(get(run, cat_path) != NULL); /* what the trackers were recognised with, kept */
        yajl_val results = get(run, res_path);
        CHECK(YAJL_IS_ARRAY(results) && results->u.array.len == 4);
    }
    yajl_tree_free(doc);
    pw_buf_free(&b);
}

/* Five Meta pixels: one row in the text table naming three accounts and "2 more", one row in
 * the HTML table naming all five; JSON keeps one item per account. */
static void accounts_grouped_per_tracker(void)
{
    static const char *const accts[] = {"101", "102", "103", "104", "105"};
    pw_finding f[5];
    for (size_t i = 0; i < 5; i++)
        f[i] = rf_condition(accts[i], "https://h.org/care/cancer");
    pw_buf b;
    char *t = rf_render(PW_REPORT_TEXT, f, 5, &b);
    const char *head = strstr(t, "What each tracker received");
    const char *end = head ? strstr(head, "\n\n") : NULL;
    CHECK(head && end);
    if (head && end) {
        size_t rows = 0;
        for (const char *p = head; (p = strstr(p, "\nMeta Pixel")) && p < end; p++)
            rows++;
        CHECK_INT(rows, 1);
        const char *row = strstr(head, "\nMeta Pixel");
        /* the account column wraps: "101, 102, 103 and 2" then "more" under it */
        CHECK(row && strstr(row, "  101, 102, 103 and 2  ") &&
              strstr(row, "  101, 102, 103 and 2  ") < end);
        CHECK(row && strstr(row, "\n            more\n") == end - strlen("\n            more"));
        CHECK(row && strstr(row, " medium ") && strstr(row, " 5 ") < end); /* 5 findings */
        CHECK(!strstr(head, "104") || strstr(head, "104") > end);
    }
    pw_buf_free(&b);
    t = rf_render(PW_REPORT_HTML, f, 5, &b);
    const char *table = strstr(t, "<h2>What each tracker received</h2>");
    CHECK(table &&
          strstr(table, "<tr><td>Meta Pixel</td><td><code>101, 102, 103, 104, 105</code>"));
    CHECK(table && strstr(table, "<td>5</td>"));
    pw_buf_free(&b);
    t = rf_render(PW_REPORT_JSON, f, 5, &b);
    char err[256];
    yajl_val doc = yajl_tree_parse(t, err, sizeof err);
    const char *path[] = {"received", NULL};
    yajl_val rec = get(doc, path);
    CHECK(YAJL_IS_ARRAY(rec) && rec->u.array.len == 5);
    yajl_tree_free(doc);
    pw_buf_free(&b);
}

/* The summary counts pages as the tables group them: /find?q=a and /find?q=b are one page
 * ("(2 URLs)" in the findings table), so 3 URLs are 2 pages, and the summary says so. */
static void page_count_agrees_with_tables(void)
{
    static const pw_page pages[] = {{.url = "https://h.org/find?q=asthma"},
                                    {.url = "https://h.org/find?q=cancer"},
                                    {.url = "https://h.org/care/cancer"}};
    static const pw_hhs_context ctxs[] = {PW_CTX_CONDITION, PW_CTX_CONDITION, PW_CTX_CONDITION};
    pw_finding f[1] = {rf_condition("111", "https://h.org/care/cancer")};
    /* the inventory counts a tracker's distinct URLs: on all 3 URLs, of 2 pages */
    pw_tracker_use use[] = {{.tracker = &meta, .account_id = "111", .n_requests = 3, .n_pages = 3}};
    pw_scan_result r = {.findings = f,
                        .n_findings = 1,
                        .trackers = use,
                        .n_trackers = 1,
                        .pages = pages,
                        .page_contexts = ctxs,
                        .n_pages = 3,
                        .target = "t.har",
                        .source = PW_SOURCE_HAR};
    pw_buf b;
    char *t = rf_render_result(&r, PW_REPORT_TEXT, &b);
    CHECK(strstr(t, "\n2 pages (3 URLs with their queries), ") != NULL);
    /* "on 3 URLs", not "on 3 pages" beside "2 pages" */
    CHECK(strstr(t, " 3 beacons  on 3 URLs\n") != NULL);
    CHECK(strstr(t, "on 3 pages") == NULL);
    pw_buf_free(&b);
    t = rf_render_result(&r, PW_REPORT_HTML, &b);
    CHECK(strstr(t, "<p class=\"stats\">2 pages (3 URLs with their queries) · ") != NULL);
    CHECK(strstr(t, "<th>Beacons</th><th>URLs</th></tr>") != NULL);
    pw_buf_free(&b);
    t = rf_render_result(&r, PW_REPORT_JSON, &b);
    CHECK(strstr(t, "\"pages\": 3,\n    \"page_keys\": 2,") != NULL);
    pw_buf_free(&b);
    /* no variants: the count alone */
    r.n_pages = 1;
    r.pages = pages + 2;
    r.page_contexts = ctxs + 2;
    use[0].n_pages = 1;
    t = rf_render_result(&r, PW_REPORT_TEXT, &b);
    CHECK(strstr(t, "\n1 page, ") != NULL);
    CHECK(strstr(t, " 3 beacons  on 1 page\n") != NULL); /* pages and URLs are one */
    pw_buf_free(&b);
    t = rf_render_result(&r, PW_REPORT_HTML, &b);
    CHECK(strstr(t, "<th>Beacons</th><th>Pages</th></tr>") != NULL);
    pw_buf_free(&b);
}

/* HTML: a rule's reasoning in full once, then "as for the first … finding above"; a different
 * reasoning of the same rule (a general page's) gets its own paragraph. */
static void html_why_once_per_rule(void)
{
    pw_finding f[4] = {rf_condition("111", "https://h.org/care/cancer"),
                       rf_condition("111", "https://h.org/care/asthma"),
                       rf_condition("111", "https://h.org/care/diabetes"),
                       rf_condition("111", "https://h.org/care/hiv")};
    f[3].legal = "On a page of the general section: another paragraph.";
    pw_buf b;
    char *t = rf_render(PW_REPORT_HTML, f, 4, &b);
    CHECK_INT(rf_count(t, LEGAL_COND), 1);
    CHECK_INT(rf_count(t, "another paragraph."), 1);
    CHECK_INT(rf_count(t, "<b>Why it matters.</b>"), 4);
    CHECK_INT(rf_count(t, "<b>Why it matters.</b> As for the first PW-CONDITION-URL finding "
                          "above.</p>"),
              2);
    const char *full = strstr(t, LEGAL_COND);
    CHECK(full && strstr(t, "As for the first") > full);
    pw_buf_free(&b);
}

static size_t count_findings(const pw_scan_result *r, const char *rule, const char *tracker,
                             const char *page_end)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(r, i);
        size_t len = strlen(f->page_url), m = page_end ? strlen(page_end) : 0;
        n += strcmp(f->rule_id, rule) == 0 && (!tracker || strcmp(f->tracker->id, tracker) == 0) &&
             (!page_end || (len >= m && strcmp(f->page_url + len - m, page_end) == 0));
    }
    return n;
}

/* The demo's portal pages load gtag.js for G-RRMC7Q2X9L (its request sends the site's origin,
 * not the page) and GA4 then collects the page under that ID: one disclosure, one critical
 * finding per page — GA4's, whose fix names the loader — not a second for the loader; and no
 * PW-NO-BAA for the loader where GA4's findings say the BAA point. Meta stays as it was. */
static void gtag_and_ga4_one_finding(void)
{
    scan s;
    CHECK(scan_har(&s, "../../../demo/demo")); /* demo/demo.har, from tests/data/assess/ */
    if (!s.r) {
        scan_free(&s);
        return;
    }
    for (int p = 0; p < 2; p++) {
        const char *page = p ? "/portal/test-results" : "/portal/dashboard";
        CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", "google-tag-manager", page), 0);
        CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", "ga4", page), 1);
        CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", "meta-pixel", page), 1);
    }
    CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", NULL, NULL), 4);
    CHECK_INT(count_findings(s.r, "PW-NO-BAA", "google-tag-manager", NULL), 0);
    for (size_t i = 0; i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-AUTH-TRACKER") || strcmp(f->tracker->id, "ga4"))
            continue;
        CHECK(strstr(f->remediation, "www.googletagmanager.com/gtag/js?id=G-RRMC7Q2X9L") != NULL);
        CHECK(strstr(f->remediation, "same disclosure") != NULL);
    }
    /* before consent too it is one disclosure: GA4's consent finding, naming its loader */
    CHECK_INT(count_findings(s.r, "PW-CONSENT", "google-tag-manager", NULL), 0);
    CHECK_INT(count_findings(s.r, "PW-CONSENT", "ga4", NULL), 1);
    for (size_t i = 0; i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-CONSENT") == 0 && strcmp(f->tracker->id, "ga4") == 0)
            CHECK(strstr(f->remediation, "Load Google Analytics 4 and the gtag.js or Google Tag "
                                         "Manager tag that loads it (www.googletagmanager.com/"
                                         "gtag/js?id=G-RRMC7Q2X9L) only after") != NULL);
    }
    /* in the inventory too the loader is GA4's: its row folds into GA4's, whose hosts list it */
    int listed = 0, ga4_lists_loader = 0;
    for (size_t i = 0; i < s.r->n_trackers; i++) {
        const pw_tracker_use *u = &s.r->trackers[i];
        listed |= strcmp(u->tracker->id, "google-tag-manager") == 0;
        for (size_t h = 0; strcmp(u->tracker->id, "ga4") == 0 && h < u->n_hosts; h++)
            ga4_lists_loader |= strcmp(u->hosts[h], "www.googletagmanager.com") == 0;
    }
    CHECK(!listed);
    CHECK(ga4_lists_loader);
    scan_free(&s);
}

/* A finding of tracker `tracker` and rule `rule` on the page ending in page_end, or NULL. */
static const pw_finding *finding_of(const pw_scan_result *r, const char *rule, const char *tracker,
                                    const char *page_end)
{
    for (size_t i = 0; r && i < r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(r, i);
        size_t len = strlen(f->page_url), m = strlen(page_end);
        if (strcmp(f->rule_id, rule) == 0 && strcmp(f->tracker->id, tracker) == 0 && len >= m &&
            strcmp(f->page_url + len - m, page_end) == 0)
            return f;
    }
    return NULL;
}

#define GA4_LOADER "https://www.googletagmanager.com/gtag/js?id=G-ABC123"
#define GA4_COLLECT(page)                                                                  \
    "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1.2&en=page_view&dl=" \
    "https%3A%2F%2Fh.org%2F" page

/* The loader of a GA4 ID folds into GA4's finding page by page, not scan by scan: on a portal
 * page where GA4 collected, one PW-AUTH-TRACKER (GA4's, naming its loader); on a portal page
 * where only gtag.js loaded, the loader's own PW-AUTH-TRACKER — its request sent the page's
 * address as the Referer there, which is its evidence, and where it sent the origin alone the
 * tag still ran on the logged-in page. On a general page the inventory finding is GA4's once,
 * its fix naming both. Before, the loader had no finding on the loader-only pages, and two
 * PW-TRACKER-PRESENT (and two PW-CONSENT) where GA4 collected. */
static void ga4_loader_folds_per_page(void)
{
    static const pw_page pages[] = {{.url = "https://h.org/portal/results", .after_login = 1},
                                    {.url = "https://h.org/portal/messages", .after_login = 1},
                                    {.url = "https://h.org/portal/billing", .after_login = 1},
                                    {.url = "https://h.org/news"}};
    static const pw_header full[] = {{"Referer", "https://h.org/portal/messages"}};
    static const pw_header origin[] = {{"Referer", "https://h.org/"}};
    static const pw_header news[] = {{"Referer", "https://h.org/news"}};
    static const pw_request reqs[] = {{.method = "GET",
                                       .url = GA4_LOADER,
                                       .page_url = "https://h.org/portal/results",
                                       .headers = origin,
                                       .n_headers = 1,
                                       .resource_type = "script"},
                                      {.method = "POST",
                                       .url = GA4_COLLECT("portal%2Fresults"),
                                       .page_url = "https://h.org/portal/results",
                                       .resource_type = "ping"},
                                      {.method = "GET",
                                       .url = GA4_LOADER,
                                       .page_url = "https://h.org/portal/messages",
                                       .headers = full,
                                       .n_headers = 1,
                                       .resource_type = "script"},
                                      {.method = "GET",
                                       .url = GA4_LOADER,
                                       .page_url = "https://h.org/portal/billing",
                                       .headers = origin,
                                       .n_headers = 1,
                                       .resource_type = "script"},
                                      {.method = "GET",
                                       .url = GA4_LOADER,
                                       .page_url = "https://h.org/news",
                                       .headers = news,
                                       .n_headers = 1,
                                       .resource_type = "script",
                                       .before_consent = 1},
                                      {.method = "POST",
                                       .url = GA4_COLLECT("news"),
                                       .page_url = "https://h.org/news",
                                       .resource_type = "ping",
                                       .before_consent = 1}};
    scan s;
    CHECK(scan_requests(&s, pages, 4, reqs, 6));
    /* GA4 collected on /portal/results: its finding alone */
    CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", NULL, "/portal/results"), 1);
    const pw_finding *f = finding_of(s.r, "PW-AUTH-TRACKER", "ga4", "/portal/results");
    CHECK(f && strstr(f->remediation, "gtag/js?id=G-ABC123"));
    CHECK_INT(count_findings(s.r, "PW-NO-BAA", NULL, "/portal/results"), 0);
    /* gtag.js alone, the page's address in its Referer: the loader's finding, that evidence */
    f = finding_of(s.r, "PW-AUTH-TRACKER", "google-tag-manager", "/portal/messages");
    CHECK(f != NULL);
    int referer = 0;
    for (size_t i = 0; f && i < f->n_evidence; i++)
        referer |= f->evidence[i].kind == PW_FIELD_REFERRER &&
                   strcmp(f->evidence[i].value, "https://h.org/portal/messages") == 0;
    CHECK(referer);
    /* gtag.js alone, the origin only: still the tag on a logged-in page */
    CHECK(finding_of(s.r, "PW-AUTH-TRACKER", "google-tag-manager", "/portal/billing") != NULL);
    CHECK_INT(count_findings(s.r, "PW-AUTH-TRACKER", NULL, NULL), 3);
    /* the general page: one inventory finding and one consent finding, GA4's, naming both */
    CHECK_INT(count_findings(s.r, "PW-TRACKER-PRESENT", NULL, "/news"), 1);
    CHECK_INT(count_findings(s.r, "PW-CONSENT", NULL, "/news"), 1);
    f = finding_of(s.r, "PW-TRACKER-PRESENT", "ga4", "/news");
    CHECK(f && strstr(f->remediation, "keep Google Analytics 4 and the gtag.js or Google Tag "
                                      "Manager tag that loads it (www.googletagmanager.com/gtag/"
                                      "js?id=G-ABC123) off care"));
    f = finding_of(s.r, "PW-CONSENT", "ga4", "/news");
    CHECK(f && strstr(f->remediation, "gtag/js?id=G-ABC123"));
    scan_free(&s);
}

PW_TEST_MAIN(PW_TEST(json_has_received), PW_TEST(sarif_has_received),
             PW_TEST(accounts_grouped_per_tracker), PW_TEST(page_count_agrees_with_tables),
             PW_TEST(html_why_once_per_rule), PW_TEST(gtag_and_ga4_one_finding),
             PW_TEST(ga4_loader_folds_per_page))
