/*
 * test_report.c — the report renderers on a hand-built pw_scan_result: escaping, PHI marking
 * from hit spans, severity counts, SARIF structure, colour only when asked, self-contained HTML.
 */
#include <string.h>
#include <yajl/yajl_tree.h>

#include "phiwall/report.h"
#include "pw_test.h"
#include "report_fixture.h"

static const pw_hit hits[] = {
    {.category = PW_PHI_CARE_INTENT,
     .subtype = "scheduling",
     .start = 0,
     .end = 8,
     .normalized = "schedule",
     .confidence = 0.9f,
     .reason = PW_REASON_VOCABULARY},
    {.category = PW_PHI_HEALTH,
     .subtype = "procedure",
     .start = 11,
     .end = 20,
     .normalized = "mammogram",
     .confidence = 0.9f,
     .reason = PW_REASON_VOCABULARY},
};

static const pw_evidence ev[] = {
    {.key = "cd[buttonText]",
     .value = "Schedule a mammogram <now>",
     .value_len = 26,
     .kind = PW_FIELD_BUTTON_TEXT,
     .hits = hits,
     .n_hits = 2},
};

static const pw_header hdrs[] = {{"Referer", "https://h.org/appointments?x=\"1\""}};
static const pw_request req = {.method = "GET",
                               .url = "https://www.facebook.com/tr/?id=1&ev=SubscribedButtonClick",
                               .headers = hdrs,
                               .n_headers = 1};

static pw_finding findings[] = {
    {RF_FINDING("PW-BUTTON-TEXT", "Button text", PW_SEV_HIGH, PW_CTX_CARE_INTENT, "Because <law>.",
                "Call `fbq('set','autoConfig',false,'1')`.", &meta, "1",
                "https://h.org/appointments"),
     .event_name = "SubscribedButtonClick", .occurrences = 3, .evidence = ev, .n_evidence = 1,
     .request = &req},
    {RF_PRESENT(&meta, "1", "https://h.org/careers")},
};

static const pw_page pages[] = {{.url = "https://h.org/appointments", .title = "Book & go"},
                                {.url = "https://h.org/careers"}};
static const pw_hhs_context ctxs[] = {PW_CTX_CARE_INTENT, PW_CTX_GENERAL};

static const pw_scan_result result = {.findings = findings,
                                      .n_findings = 2,
                                      .pages = pages,
                                      .n_pages = 2,
                                      .page_contexts = ctxs,
                                      .n_requests = 10,
                                      .n_third_party = 4,
                                      .n_beacons = 4,
                                      .target = "t.har",
                                      .source = PW_SOURCE_HAR};

static char *render(pw_report_format fmt, int color)
{
    static pw_buf b;
    pw_buf_free(&b);
    pw_buf_init(&b);
    pw_report_opts o = {.color = color, .tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&result, fmt, &o, &b, &err), PW_OK);
    return b.data ? b.data : "";
}

static void formats_parse(void)
{
    pw_report_format f;
    CHECK_INT(pw_report_format_parse("sarif", &f), 0);
    CHECK_INT(f, PW_REPORT_SARIF);
    CHECK_INT(pw_report_format_parse("HTML", &f), 0);
    CHECK_INT(f, PW_REPORT_HTML);
    CHECK_INT(pw_report_format_parse("xml", &f), -1);
    CHECK_INT(pw_scan_result_max_severity(&result), PW_SEV_HIGH);
}

static void text(void)
{
    char *t = render(PW_REPORT_TEXT, 0);
    CHECK(strstr(t, "0 critical  1 high  0 medium  0 low  1 info") != NULL);
    CHECK(strstr(t, "[[Schedule]] a [[mammogram]] <now>") != NULL);
    CHECK(strstr(t, "\033[") == NULL);
    CHECK(strstr(t, "PW-TRACKER-PRESENT") != NULL); /* in the table */
    CHECK(strstr(t, "1 informational finding (trackers on general pages) is listed") != NULL);
    t = render(PW_REPORT_TEXT, 1);
    CHECK(strstr(t, "\033[1;4;31mmammogram\033[0m") != NULL);
}

static void json(void)
{
    char *j = render(PW_REPORT_JSON, 0), err[128];
    yajl_val doc = yajl_tree_parse(j, err, sizeof err);
    CHECK(doc != NULL);
    static const char *ver[] = {"schema_version", NULL},
                      *high[] = {"summary", "by_severity", "high", NULL};
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(doc, ver, yajl_t_string)), "1");
    CHECK_INT(YAJL_GET_INTEGER(yajl_tree_get(doc, high, yajl_t_number)), 1);
    CHECK(strstr(j, "\"text\": \"mammogram\"") != NULL);
    CHECK(strstr(j, "x=\\\"1\\\"") != NULL); /* escaped quote in a header */
    yajl_tree_free(doc);
}

static void sarif(void)
{
    char *s = render(PW_REPORT_SARIF, 0), err[128];
    yajl_val doc = yajl_tree_parse(s, err, sizeof err);
    CHECK(doc != NULL);
    static const char *ver[] = {"version", NULL};
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(doc, ver, yajl_t_string)), "2.1.0");
    static const char *runs[] = {"runs", NULL};
    yajl_val r = yajl_tree_get(doc, runs, yajl_t_array);
    CHECK(r && YAJL_GET_ARRAY(r)->len == 1);
    yajl_val run = YAJL_GET_ARRAY(r)->values[0];
    static const char *rules[] = {"tool", "driver", "rules", NULL}, *results[] = {"results", NULL};
    yajl_val rl = yajl_tree_get(run, rules, yajl_t_array);
    CHECK(rl && YAJL_GET_ARRAY(rl)->len == pw_rule_count());
    yajl_val res = yajl_tree_get(run, results, yajl_t_array);
    CHECK(res && YAJL_GET_ARRAY(res)->len == 2);
    yajl_val first = YAJL_GET_ARRAY(res)->values[0];
    static const char *level[] = {"level", NULL}, *rid[] = {"ruleId", NULL};
    static const char *uri[] = {"locations", NULL};
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(first, level, yajl_t_string)), "error");
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(first, rid, yajl_t_string)), "PW-BUTTON-TEXT");
    CHECK(yajl_tree_get(first, uri, yajl_t_array) != NULL);
    CHECK(strstr(s, "\"uri\": \"https://h.org/appointments\"") != NULL);
    yajl_tree_free(doc);
}

/* The fingerprint is the finding's identity, its page key (pw_url_page_key): an alert is not
 * reopened by a new gclid, campaign tag or form submission on the same page. */
static void sarif_fingerprint(void)
{
    const char *keep = findings[0].page_url;
    findings[0].page_url =
        "https://h.org/appointments?utm_source=fb&service=pregnancy&gclid=AAA&x=1&_gl=1*abc#top";
    char *s = render(PW_REPORT_SARIF, 0);
    CHECK(strstr(s, "\"phiwallFinding/v1\": \"PW-BUTTON-TEXT|meta-pixel|1|"
                    "h.org/appointments\"") != NULL);
    /* the location is the page without its query (it may hold what the visitor typed) */
    CHECK(strstr(s, "\"uri\": \"https://h.org/appointments\"") != NULL);
    CHECK(strstr(s, "pregnancy") == NULL);
    findings[0].page_url = "https://h.org/appointments?gclid=BBB";
    s = render(PW_REPORT_SARIF, 0);
    CHECK(strstr(s, "\"PW-BUTTON-TEXT|meta-pixel|1|h.org/appointments\"") != NULL);
    findings[0].page_url = keep;
}

/* The SARIF report of the one finding f, in b (freed by the caller). */
static const char *sarif_of(const pw_finding *f, pw_buf *b)
{
    pw_scan_result one = result;
    one.findings = f;
    one.n_findings = 1;
    pw_buf_init(b);
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&one, PW_REPORT_SARIF, &o, b, &err), PW_OK);
    return b->data ? b->data : "";
}

/* SARIF goes to code-scanning dashboards: identifiers are named by kind, never by value, and
 * neither the page's nor the request's query reaches it (the JSON/HTML evidence keeps them). */
static void sarif_no_identifier_values(void)
{
    static const pw_hit email_hit[] = {{.category = PW_PHI_EMAIL,
                                        .start = 0,
                                        .end = 13,
                                        .normalized = "ann.q@x.org",
                                        .confidence = 0.99f,
                                        .reason = PW_REASON_PATTERN}};
    static const pw_evidence email_ev[] = {{.key = "ud[em]",
                                            .value = "ann.q@x.org",
                                            .value_len = 11,
                                            .kind = PW_FIELD_USER_DATA,
                                            .hits = email_hit,
                                            .n_hits = 1}};
    static const pw_request email_req = {
        .method = "GET", .url = "https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]=ann.q%40x.org"};
    pw_finding f = findings[0];
    f.page_url = "https://h.org/appointments/confirm?email=ann.q%40x.org&name=Ann+Q";
    f.evidence = email_ev;
    f.n_evidence = 1;
    f.request = &email_req;
    pw_buf b;
    const char *s = sarif_of(&f, &b);
    CHECK(strstr(s, "ann.q") == NULL && strstr(s, "Ann+Q") == NULL);
    CHECK(strstr(s, "ud[em]: email.") != NULL);
    CHECK(strstr(s, "email (email)") == NULL); /* a subtype that repeats the kind is not said */
    CHECK(strstr(s, "\"uri\": \"https://h.org/appointments/confirm\"") != NULL);
    CHECK(strstr(s, "\"request_endpoint\": \"https://www.facebook.com/tr/\"") != NULL);
    pw_buf_free(&b);
}

/* A canary is named by the field it was typed into and its encoding (the label of the --canary
 * file), never by its value: a dashboard then says which of the audit's identity fields leaked. */
static void sarif_names_canary_fields(void)
{
    static const pw_hit canary_hits[] = {{.category = PW_PHI_CANARY,
                                          .subtype = "plain",
                                          .start = 19,
                                          .end = 24,
                                          .normalized = "zelda",
                                          .confidence = 1.0f,
                                          .reason = PW_REASON_CANARY,
                                          .reason_detail = "first name"},
                                         {.category = PW_PHI_CANARY,
                                          .subtype = "urlencoded",
                                          .start = 28,
                                          .end = 43,
                                          .normalized = "z@example.org",
                                          .confidence = 1.0f,
                                          .reason = PW_REASON_CANARY,
                                          .reason_detail = "email"}};
    static const pw_evidence dl_ev[] = {{.key = "dl",
                                         .value = "https://h.org/c?fn=Zelda&em=z%40example.org",
                                         .value_len = 43,
                                         .kind = PW_FIELD_PAGE_URL,
                                         .hits = canary_hits,
                                         .n_hits = 2}};
    pw_finding f = findings[0];
    f.evidence = dl_ev;
    f.n_evidence = 1;
    pw_buf b;
    const char *s = sarif_of(&f, &b);
    CHECK(strstr(s, "dl: canary 'first name' (plain). dl: canary 'email' (urlencoded).") != NULL);
    CHECK(strstr(s, "Zelda") == NULL && strstr(s, "zelda") == NULL);
    CHECK(strstr(s, "example.org") == NULL);
    pw_buf_free(&b);
}

/* A keyword list ("keywords=a,b,c", UET's kw) is one search hit: its label shows whole terms
 * (", " between them) and how many more, a long single value is cut at a word — never mid-word
 * as "%.80s" did — and SARIF names the search by kind only (what the visitor typed). */
static void search_list_label(void)
{
    static const char list[] = "breast cancer,mammogram,oncology screening,chemotherapy side "
                               "effects,hiv testing,knee replacement,sleep apnea";
    static const char one[] = "parking garage levels and visitor information for the main "
                              "campus entrance building and more";
    static const pw_hit kw_hits[] = {
        {.category = PW_PHI_CARE_INTENT,
         .subtype = "search",
         .start = 0,
         .end = sizeof list - 1,
         .normalized = list,
         .confidence = 0.9f,
         .reason = PW_REASON_CONTEXT},
        {.category = PW_PHI_CARE_INTENT,
         .subtype = "search",
         .start = 0,
         .end = sizeof one - 1,
         .normalized = one,
         .confidence = 0.9f,
         .reason = PW_REASON_CONTEXT},
    };
    static const pw_evidence kw_ev[] = {
        {.key = "dl?keywords",
         .value = list,
         .value_len = sizeof list - 1,
         .kind = PW_FIELD_SEARCH_TERM,
         .hits = kw_hits,
         .n_hits = 1},
        {.key = "dl?q",
         .value = one,
         .value_len = sizeof one - 1,
         .kind = PW_FIELD_SEARCH_TERM,
         .hits = kw_hits + 1,
         .n_hits = 1},
    };
    pw_finding f = findings[0];
    f.evidence = kw_ev;
    f.n_evidence = 2;
    pw_scan_result r = result;
    r.findings = &f;
    r.n_findings = 1;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    const char *s = b.data ? b.data : "";
    CHECK(strstr(s, "care-intent (search): breast cancer, mammogram, oncology screening, "
                    "chemotherapy side effects, … (3 more)") != NULL);
    CHECK(strstr(s, "care-intent (search): parking garage levels and visitor information for "
                    "the main campus entrance…") != NULL);
    pw_buf_free(&b);
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_SARIF, &o, &b, &err), PW_OK);
    s = b.data ? b.data : "";
    CHECK(strstr(s, "mammogram") == NULL && strstr(s, "parking") == NULL);
    CHECK(strstr(s, "dl?keywords: care-intent (search).") != NULL);
    pw_buf_free(&b);
}

/* A first and a last name in one field are two hits of one kind: the message says it once. */
static void sarif_names_each_kind_once(void)
{
    static const pw_hit name_hits[] = {
        {.category = PW_PHI_NAME, .subtype = "patient", .start = 3, .end = 7, .normalized = "ann"},
        {.category = PW_PHI_NAME, .subtype = "patient", .start = 10, .end = 14, .normalized = "q"},
        {.category = PW_PHI_PHONE, .subtype = "phone", .start = 18, .end = 28, .normalized = "1"}};
    static const pw_evidence name_ev[] = {{.key = "dl",
                                           .value = "fn=Ann1&ln=Quin&ph=6175551551",
                                           .value_len = 29,
                                           .kind = PW_FIELD_PAGE_URL,
                                           .hits = name_hits,
                                           .n_hits = 3}};
    pw_finding f = findings[0];
    f.evidence = name_ev;
    f.n_evidence = 1;
    pw_buf b;
    const char *s = sarif_of(&f, &b);
    const char *first = strstr(s, " dl: name (patient).");
    CHECK(first != NULL);
    CHECK(first && strstr(first + strlen(" dl: name (patient)."), "name (patient)") == NULL);
    CHECK(strstr(s, " dl: phone. Fix: ") != NULL);
    pw_buf_free(&b);
}

/* An identifier in the page's path (no query to drop) is named by its kind in the location, the
 * fingerprint and the fix, like in the message. */
static void sarif_masks_identifiers_in_the_path(void)
{
    static const pw_hit path_hits[] = {{.category = PW_PHI_EMAIL,
                                        .subtype = "email",
                                        .start = 23,
                                        .end = 45,
                                        .normalized = "jane.doe@example.org"}};
    static const pw_evidence path_ev[] = {
        {.key = "dl",
         .value = "https://h.org/patients/jane.doe%40example.org/results",
         .value_len = 53,
         .kind = PW_FIELD_PAGE_URL,
         .hits = path_hits,
         .n_hits = 1}};
    pw_finding f = findings[0];
    f.page_url = "https://h.org/patients/jane.doe%40example.org/results?x=1";
    f.remediation = "Remove it from h.org/patients/jane.doe%40example.org/*.";
    f.evidence = path_ev;
    f.n_evidence = 1;
    pw_buf b;
    const char *s = sarif_of(&f, &b);
    CHECK(strstr(s, "jane") == NULL);
    /* a URI has brackets only around an IP literal: the location's are percent-encoded */
    CHECK(strstr(s, "\"uri\": \"https://h.org/patients/%5Bemail%5D/results\"") != NULL);
    CHECK(strstr(s, "|h.org/patients/[email]/results\"") != NULL);
    CHECK(strstr(s, "\"remediation\": \"Remove it from h.org/patients/[email]/*.\"") != NULL);
    pw_buf_free(&b);
    /* a doctor's name in the path of their profile page stays: it is the page's identity */
    static const pw_hit doctor_hit[] = {{.category = PW_PHI_NAME,
                                         .subtype = "provider",
                                         .start = 22,
                                         .end = 33,
                                         .normalized = "x"}};
    static const pw_evidence doctor_ev[] = {{.key = "dl",
                                             .value = "https://h.org/doctors/elena-marsh",
                                             .value_len = 33,
                                             .kind = PW_FIELD_PAGE_URL,
                                             .hits = doctor_hit,
                                             .n_hits = 1}};
    f.page_url = "https://h.org/doctors/elena-marsh";
    f.evidence = doctor_ev;
    s = sarif_of(&f, &b);
    CHECK(strstr(s, "\"uri\": \"https://h.org/doctors/elena-marsh\"") != NULL);
    pw_buf_free(&b);
}

static void html(void)
{
    char *h = render(PW_REPORT_HTML, 0);
    CHECK(strncmp(h, "<!doctype html>", 15) == 0);
    CHECK(strstr(h, ">mammogram</mark> &lt;now&gt;") != NULL);
    CHECK(strstr(h, "Because &lt;law&gt;.") != NULL);
    CHECK(strstr(h, "<code>fbq(&#39;set&#39;,&#39;autoConfig&#39;,false,&#39;1&#39;)</code>") !=
              NULL ||
          strstr(h, "<code>fbq(&#x27;set&#x27;") != NULL);
    CHECK(strstr(h, "<details><summary>Raw request</summary>") != NULL);
    CHECK(strstr(h, "Book &amp; go") != NULL);
    /* the note on severities does not call every high finding a HIPAA disclosure */
    CHECK(strstr(h, "Two kinds of <i>high</i> finding are no HIPAA disclosure, as their "
                    "reasoning says: a tracker that fired after the visitor refused tracking "
                    "(PW-CONSENT, a consent failure)") != NULL);
    /* self-contained: no external fetches */
    CHECK(strstr(h, "<script") == NULL);
    CHECK(strstr(h, "<link") == NULL);
    CHECK(strstr(h, "src=\"http") == NULL);
}

/* What the site sent may be no UTF-8 or hold control characters: the HTML file stays valid UTF-8
 * without them (U+FFFD in their place, as in the JSON report); tab, CR and LF are kept. */
static void html_is_valid_utf8(void)
{
    static const pw_evidence bad_ev[] = {{.key = "dl",
                                          .value = "https://h.org/a\xff\xfe\x1b[2J\x01"
                                                   "b\tc\r\nd",
                                          .value_len = 28,
                                          .kind = PW_FIELD_PAGE_URL}};
    pw_finding f = findings[0];
    f.page_url = "https://h.org/a\xc3";
    f.event_name = "Lead\x7f";
    f.evidence = bad_ev;
    f.n_evidence = 1;
    pw_scan_result one = result;
    one.findings = &f;
    one.n_findings = 1;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&one, PW_REPORT_HTML, &o, &b, &err), PW_OK);
    const char *h = b.data ? b.data : "";
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)h[i] < 0x20 && !strchr("\t\r\n", h[i]))
            CHECK_INT((unsigned char)h[i], '\n'); /* names the byte that got through */
    CHECK(strchr(h, 0x7f) == NULL);
    CHECK(strstr(h, "\xff") == NULL && strstr(h, "\xfe") == NULL);
    CHECK(strstr(h, "https://h.org/a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[2J\xef\xbf\xbd"
                    "b\tc\r\nd") != NULL);
    CHECK(strstr(h, "Lead\xef\xbf\xbd") != NULL);
    pw_buf_free(&b);
}

/* C1 controls and bidi embeddings, overrides and isolates are control characters too: a
 * U+202E in a page URL or an account would make the reader see another URL or ID
 * ("…/exe.gnp"); each is U+FFFD, as an ESC is. A right-to-left mark (U+200F) stays. */
static void html_hides_c1_and_bidi(void)
{
    static const pw_evidence bad_ev[] = {{.key = "dl",
                                          .value = "a\xc2\x9b"
                                                   "31m b\xe2\x80\xae"
                                                   "fdp.exe c\xe2\x81\xa6"
                                                   "d \xe2\x80\x8f"
                                                   "e",
                                          .value_len = 29,
                                          .kind = PW_FIELD_PAGE_URL}};
    pw_finding f = findings[0];
    f.account_id = "12\xe2\x80\xae"
                   "34";
    f.evidence = bad_ev;
    f.n_evidence = 1;
    pw_scan_result one = result;
    one.findings = &f;
    one.n_findings = 1;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&one, PW_REPORT_HTML, &o, &b, &err), PW_OK);
    pw_buf_putc(&b, '\0');
    const char *h = b.data ? b.data : "";
    CHECK(strstr(h, "\xc2\x9b") == NULL);
    CHECK(strstr(h, "\xe2\x80\xae") == NULL);
    CHECK(strstr(h, "\xe2\x81\xa6") == NULL);
    CHECK(strstr(h, "a\xef\xbf\xbd"
                    "31m b\xef\xbf\xbd"
                    "fdp.exe c\xef\xbf\xbd"
                    "d \xe2\x80\x8f"
                    "e") != NULL);
    CHECK(strstr(h, "12\xef\xbf\xbd"
                    "34") != NULL);
    pw_buf_free(&b);
}

/* The report quotes what the site chose; its policy is the second wall: no script, request,
 * form or <base> runs from the file, and no Referer leaves it. */
static void html_policy(void)
{
    char *h = render(PW_REPORT_HTML, 0);
    const char *csp = strstr(h, "<meta http-equiv=\"Content-Security-Policy\" content=\""
                                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                "base-uri 'none'; form-action 'none'\">");
    CHECK(csp != NULL);
    CHECK(csp && csp < strstr(h, "<title>")); /* before anything the site wrote */
    CHECK(strstr(h, "<meta name=\"referrer\" content=\"no-referrer\">") != NULL);
}

/* artifactLocation.uri is a URI: a page URL as a HAR or a static scan wrote it (a space,
 * non-ASCII, quotes, angle brackets) is percent-encoded; its own escapes stay. */
static void sarif_location_is_a_uri(void)
{
    pw_finding f = findings[0];
    f.page_url = "https://h.org/breast cancer/\xc3\xbc"
                 "ber<x>\"{|}`^\\/a%20b?q=1";
    pw_buf b;
    const char *s = sarif_of(&f, &b);
    CHECK(strstr(s,
                 "\"uri\": \"https://h.org/breast%20cancer/%C3%BCber%3Cx%3E%22%7B%7C%7D%60%5E%5C/"
                 "a%20b\"") != NULL);
    pw_buf_free(&b);
}

/* A page screenshot is embedded as a data: URI, never linked. */
static void html_screenshot(void)
{
    /* a name of its own: runs of this test at once (another build's, another worktree's) each
     * wrote, read and removed one fixed /tmp path under the other */
    char path[] = "/tmp/phiwall_test_report_shot_XXXXXX.png";
    int fd = mkstemps(path, 4);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    fwrite("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 1, 16, f);
    fclose(f);
    pw_page shot_pages[] = {{.url = "https://h.org/appointments", .screenshot_png = path}};
    pw_scan_result r = result;
    r.pages = shot_pages;
    r.n_pages = 1;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {0};
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    CHECK(b.data && strstr(b.data, "src=\"data:image/png;base64,iVBORw0KGgo") != NULL);
    CHECK(b.data && strstr(b.data, path) == NULL);
    pw_buf_free(&b);
    remove(path);
}

/* Count of needle in hay. */
static size_t occurrences_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* A page's findings are grouped by tracker in the HTML report: two pixels of one product each
 * say their account, and two companies matched by one filter-list entry (no account) are two
 * trackers named by their hosts, not one "tracker (EasyPrivacy)" heading over both. SARIF names
 * the company the same way ("at host"); its fingerprint names the company (registrable domain).
 * A company's findings whose evidence came from two of its hosts stay under one heading. */
static void tracker_names(void)
{
    static const pw_tracker list = {.id = "easyprivacy",
                                    .vendor = "unknown",
                                    .product = "tracker (EasyPrivacy)",
                                    .category = PW_CATEGORY_ANALYTICS,
                                    .baa = PW_BAA_UNKNOWN,
                                    .decoder = "generic"};
    static const pw_request r1 = {.method = "GET", .url = "https://a.tracker-one.com/p?x=1"};
    static const pw_request r2 = {.method = "GET", .url = "https://b.tracker-two.net/p"};
    static const pw_request r3 = {.method = "GET", .url = "https://c.tracker-one.com/q"};
    pw_finding f[5];
    for (int i = 0; i < 5; i++) {
        f[i] = findings[0];
        f[i].rule_id = "PW-CONDITION-URL";
        f[i].severity = PW_SEV_MEDIUM;
        f[i].n_evidence = 0;
    }
    f[0].account_id = "111";
    f[1].account_id = "222";
    f[2].tracker = f[3].tracker = &list;
    f[2].account_id = f[3].account_id = NULL;
    f[2].event_name = f[3].event_name = NULL;
    f[2].request = &r1;
    f[3].request = &r2;
    f[2].company = "tracker-one.com";
    f[3].company = "tracker-two.net";
    f[4] = f[2];
    f[4].rule_id = "PW-SEARCH-TERM";
    f[4].severity = PW_SEV_LOW;
    f[4].request = &r3;
    pw_scan_result r = result;
    r.findings = f;
    r.n_findings = 5;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {0};
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    const char *h = b.data ? b.data : "";
    CHECK(strstr(h, "account <code>111</code>") != NULL);
    CHECK(strstr(h, "account <code>222</code>") != NULL);
    CHECK(strstr(h, "<h4>tracker (EasyPrivacy) at a.tracker-one.com</h4>") != NULL);
    CHECK(strstr(h, "<h4>tracker (EasyPrivacy) at b.tracker-two.net</h4>") != NULL);
    CHECK(strstr(h, "at c.tracker-one.com</h4>") == NULL); /* tracker-one.com's heading */
    CHECK(occurrences_of(h, "<h4>tracker (EasyPrivacy) at") == 2);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_SARIF, &o, &b, NULL), PW_OK);
    h = b.data ? b.data : "";
    CHECK(strstr(h, "— tracker (EasyPrivacy) at a.tracker-one.com on care-intent page") != NULL);
    /* the fingerprint names the company, not whichever of its hosts gave the evidence */
    CHECK(strstr(h, "\"PW-CONDITION-URL|easyprivacy|tracker-two.net|h.org/appointments\"") != NULL);
    CHECK(strstr(h, "|b.tracker-two.net|") == NULL);
    pw_buf_free(&b);
}

/* The page a form was submitted to carries the typed values in its query; the evidence shows,
 * marked, what a tracker got. The text and HTML reports print the page with its query's values
 * masked, never a second, unmarked copy; the JSON report keeps the URL (docs/report-formats.md). */
static void page_query_values_masked(void)
{
    static const char *const urls[] = {
        "https://h.org/appointments/confirm?first_name=Zelda&doctor=&dob=1990-01-02",
        "https://h.org/appointments/confirm?first_name=Yannick&doctor=&dob=1991-02-03"};
    static const pw_hit name_hit[] = {{.category = PW_PHI_CANARY,
                                       .subtype = "first name",
                                       .start = 46,
                                       .end = 51,
                                       .normalized = "zelda",
                                       .confidence = 1.0f,
                                       .reason = PW_REASON_CANARY}};
    static const pw_evidence dl_ev[] = {
        {.key = "dl",
         .value = "https://h.org/appointments/confirm?first_name=Zelda&doctor=&dob=1990-01-02",
         .value_len = 74,
         .kind = PW_FIELD_PAGE_URL,
         .hits = name_hit,
         .n_hits = 1}};
    /* the request's Referer is the page (Chrome sends the full URL to a same-origin or
     * no-referrer-policy endpoint): the HTML's raw request masks it like the page headings */
    static const pw_header ref[] = {
        {"referer", "https://h.org/appointments/confirm?first_name=Zelda&doctor=&dob=1990-01-02"}};
    static const pw_request ga = {.method = "POST",
                                  .url = "https://www.google-analytics.com/g",
                                  .headers = ref,
                                  .n_headers = 1};
    pw_finding f = findings[0];
    f.page_url = urls[0];
    f.page_urls = urls;
    f.n_page_urls = 2;
    f.page_variants = 2;
    f.evidence = dl_ev;
    f.n_evidence = 1;
    f.request = &ga;
    pw_page pg = {.url = urls[0]};
    pw_hhs_context ctx = PW_CTX_CARE_INTENT;
    pw_scan_result r = {.findings = &f,
                        .n_findings = 1,
                        .pages = &pg,
                        .n_pages = 1,
                        .page_contexts = &ctx,
                        .target = "t.har",
                        .source = PW_SOURCE_HAR};
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    CHECK(strstr(t, "  page:     https://h.org/appointments/confirm?first_name=…&doctor=&dob=… "
                    "(care-intent)\n") != NULL);
    CHECK(strstr(t, "first_name=[[Zelda]]&doctor=&dob=1990-01-02") != NULL);
    CHECK_INT((int)occurrences_of(t, "Zelda"), 1);
    CHECK_INT((int)occurrences_of(t, "1990-01-02"), 1); /* the evidence's, unmarked: no hit */
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    t = b.data ? b.data : "";
    CHECK(strstr(t, "https://h.org/appointments/confirm?first_name=…&amp;doctor=&amp;dob=…") !=
          NULL);
    CHECK_INT((int)occurrences_of(t, "Zelda"), 1); /* the evidence's <mark> */
    CHECK_INT((int)occurrences_of(t, "Yannick"), 0);
    CHECK_INT((int)occurrences_of(t, "1990-01-02"), 1); /* the evidence's */
    CHECK(strstr(t, "\nreferer: https://h.org/appointments/confirm?first_name=…&amp;doctor=&amp;"
                    "dob=…\n") != NULL);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_JSON, &o, &b, NULL), PW_OK);
    t = b.data ? b.data : "";
    CHECK(strstr(t, "\"url\": \"https://h.org/appointments/confirm?first_name=Zelda&doctor=&dob="
                    "1990-01-02\"") != NULL);
    /* machine output: the request's headers as sent */
    CHECK(strstr(t, "\"value\": \"https://h.org/appointments/confirm?first_name=Zelda&doctor=&"
                    "dob=1990-01-02\"") != NULL);
    pw_buf_free(&b);
}

/* A field often holds one term several times (a button's id, destination and text all say
 * "appointment"): the text and HTML reports name each hit label once per field, and a label that
 * begins another ("…: appointment" in "…: appointment request") is still its own. */
static void hit_labels_once_per_field(void)
{
    static const pw_hit h[] = {
        {.category = PW_PHI_CARE_INTENT,
         .subtype = "scheduling",
         .start = 41,
         .end = 60,
         .normalized = "request appointment",
         .confidence = 0.9f,
         .reason = PW_REASON_VOCABULARY},
        {.category = PW_PHI_CARE_INTENT,
         .subtype = "scheduling",
         .start = 0,
         .end = 11,
         .normalized = "appointment",
         .confidence = 0.9f,
         .reason = PW_REASON_VOCABULARY},
        {.category = PW_PHI_CARE_INTENT,
         .subtype = "scheduling",
         .start = 20,
         .end = 32,
         .normalized = "appointment",
         .confidence = 0.9f,
         .reason = PW_REASON_VOCABULARY},
    };
    static const pw_evidence e[] = {{.key = "cd[buttonFeatures]",
                                     .value = "appointment-submit /appointments/confirm "
                                              "Request appointment",
                                     .value_len = 60,
                                     .kind = PW_FIELD_CUSTOM_DATA,
                                     .hits = h,
                                     .n_hits = 3}};
    pw_finding f = findings[0];
    f.evidence = e;
    f.n_evidence = 1;
    pw_scan_result r = result;
    r.findings = &f;
    r.n_findings = 1;
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    CHECK(strstr(t, "  ← care-intent (scheduling): request appointment, care-intent (scheduling): "
                    "appointment\n") != NULL);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    t = b.data ? b.data : "";
    CHECK(strstr(t, "<div class=\"hits\">care-intent (scheduling): request appointment · "
                    "care-intent (scheduling): appointment</div>") != NULL);
    pw_buf_free(&b);
}

/* Masked, the page URLs of one form's submissions read the same: the HTML list of a finding's
 * page URLs shows each masked form once, with how many URLs it stands for. */
static void html_page_urls_listed_once(void)
{
    static const char *const urls[] = {
        "https://h.org/appointments/confirm?first_name=Zelda&dob=1990-01-02",
        "https://h.org/appointments/confirm?doctor=rao&dob=1990-01-02",
        "https://h.org/appointments/confirm?first_name=Yannick&dob=1991-02-03"};
    pw_finding f = findings[0];
    f.page_url = urls[0];
    f.page_urls = urls;
    f.n_page_urls = 3;
    f.page_variants = 3;
    pw_scan_result r = result;
    r.findings = &f;
    r.n_findings = 1;
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    CHECK(strstr(t, "<summary>Page URLs (3); the evidence below was sent from ") != NULL);
    CHECK(strstr(t, "<li class=\"url\">https://h.org/appointments/confirm?first_name=…&amp;dob=… "
                    "(2 URLs)</li><li class=\"url\">https://h.org/appointments/confirm?doctor=…"
                    "&amp;dob=…</li></ul>") != NULL);
    CHECK_INT((int)occurrences_of(t, "<li class=\"url\">"), 2);
    CHECK_INT((int)occurrences_of(t, "Yannick"), 0);
    pw_buf_free(&b);
}

/* The HTML pages table: page URLs that read the same once masked, with the same title and
 * context (one form submitted twice), are one row with their count; another title stays a row. */
static void html_pages_table_rows_once(void)
{
    static const pw_page pg[] = {
        {.url = "https://h.org/appointments/confirm?first_name=Zelda", .title = "Received"},
        {.url = "https://h.org/appointments/confirm?first_name=Yannick", .title = "Received"},
        {.url = "https://h.org/appointments/confirm?first_name=Xena", .title = "Error"}};
    static const pw_hhs_context ctx[] = {PW_CTX_CARE_INTENT, PW_CTX_CARE_INTENT,
                                         PW_CTX_CARE_INTENT};
    pw_scan_result r = result;
    r.pages = pg;
    r.n_pages = 3;
    r.page_contexts = ctx;
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    const char *table = strstr(t, "<h2>Pages</h2>");
    CHECK(table != NULL);
    table = table ? table : "";
    CHECK_INT((int)occurrences_of(table, "<tr><td class=\"url\">"), 2);
    CHECK(strstr(table, "<tr><td class=\"url\">https://h.org/appointments/confirm?first_name=… (2 "
                        "URLs)<div class=\"ptitle\">Received</div>") != NULL);
    CHECK(strstr(table, "first_name=…<div class=\"ptitle\">Error</div>") != NULL);
    CHECK_INT((int)occurrences_of(t, "Yannick"), 0);
    pw_buf_free(&b);
}

/* A title that repeats what the visitor typed into the page's query shows it masked, as the URL
 * does, in the pages table and the page's heading; two searches' result pages then read the
 * same and are one row. Short or letterless values (a page number) are no typed text. */
static void html_titles_mask_typed_values(void)
{
    static const pw_page pg[] = {
        {.url = "https://h.org/find-a-doctor?q=breast+cancer&page=2",
         .title = "Results for \u201cBreast Cancer\u201d \u2013 Find a Doctor (page 2)"},
        {.url = "https://h.org/find-a-doctor?q=Zoloft%20refill&page=2",
         .title = "Results for \u201cZoloft refill\u201d \u2013 Find a Doctor (page 2)"}};
    static const pw_hhs_context ctx[] = {PW_CTX_CARE_INTENT, PW_CTX_CARE_INTENT};
    pw_finding f = findings[0];
    f.page_url = pg[0].url;
    pw_scan_result r = result;
    r.pages = pg;
    r.n_pages = 2;
    r.page_contexts = ctx;
    r.findings = &f;
    r.n_findings = 1;
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    CHECK_INT((int)occurrences_of(t, "Breast Cancer"), 0);
    CHECK_INT((int)occurrences_of(t, "Zoloft"), 0);
    CHECK(strstr(t, "<p class=\"ptitle\">Results for \u201c…\u201d \u2013 Find a Doctor (page "
                    "2)</p>") != NULL);
    const char *table = strstr(t, "<h2>Pages</h2>");
    CHECK(table && strstr(table, "?q=…&amp;page=… (2 URLs)<div class=\"ptitle\">Results for "
                                 "\u201c…\u201d \u2013 Find a Doctor (page 2)</div>"));
    pw_buf_free(&b);
}

/* PW-CONSENT's title covers a request before the banner was answered and one after a refusal;
 * the text report's tracker line says which one a finding is, as the HTML report does. */
static void text_says_consent_state(void)
{
    pw_finding f[2] = {findings[0], findings[0]};
    f[0].rule_id = f[1].rule_id = "PW-CONSENT";
    f[0].before_consent = 1;
    f[1].after_reject = 1;
    f[1].page_url = "https://h.org/appointments/b";
    pw_scan_result r = result;
    r.findings = f;
    r.n_findings = 2;
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, NULL), PW_OK);
    const char *t = b.data ? b.data : "";
    CHECK(strstr(t, "  tracker:  Meta Pixel, account 1, event SubscribedButtonClick, 3 requests, "
                    "before consent\n") != NULL);
    CHECK(strstr(t, "  tracker:  Meta Pixel, account 1, event SubscribedButtonClick, 3 requests, "
                    "after the visitor rejected tracking\n") != NULL);
    pw_buf_free(&b);
}

/* Every format says when the traffic was captured (a record of an observation needs its time);
 * a capture without request times says nothing in text/HTML and null in JSON. */
static void states_capture_period(void)
{
    pw_scan_result r = result;
    r.captured_first = 1764485462.25; /* 2025-11-30T06:51:02Z */
    r.captured_last = 1764485700.0;   /* 2025-11-30T06:55:00Z */
    pw_report_opts o = {0};
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, NULL), PW_OK);
    CHECK(strstr(b.data, "  captured 2025-11-30 06:51:02 – 06:55:00 UTC\n") != NULL);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_JSON, &o, &b, NULL), PW_OK);
    pw_buf_putc(&b, '\0');
    yajl_val root = yajl_tree_parse(b.data, NULL, 0);
    CHECK(root != NULL);
    const char *first[] = {"captured", "first", NULL}, *last[] = {"captured", "last", NULL};
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(root, first, yajl_t_string)), "2025-11-30T06:51:02Z");
    CHECK_STR(YAJL_GET_STRING(yajl_tree_get(root, last, yajl_t_string)), "2025-11-30T06:55:00Z");
    yajl_tree_free(root);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_SARIF, &o, &b, NULL), PW_OK);
    CHECK(strstr(b.data, "\"captured_first\": \"2025-11-30T06:51:02Z\"") != NULL);
    pw_buf_clear(&b);
    r.captured_last = r.captured_first + 86400; /* another day: both ends carry their date */
    CHECK_INT(pw_report_render(&r, PW_REPORT_HTML, &o, &b, NULL), PW_OK);
    CHECK(strstr(b.data, " · captured 2025-11-30 06:51:02 – 2025-12-01 06:51:02 UTC</p>") != NULL);
    pw_buf_clear(&b);
    r.captured_first = r.captured_last = 0;
    CHECK_INT(pw_report_render(&r, PW_REPORT_JSON, &o, &b, NULL), PW_OK);
    CHECK(strstr(b.data, "\"captured\": null") != NULL);
    pw_buf_clear(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, NULL), PW_OK);
    CHECK(strstr(b.data, "captured") == NULL);
    pw_buf_free(&b);
}

static void empty_result(void)
{
    pw_scan_result none = {.target = "empty.har"};
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {0};
    for (int f = PW_REPORT_TEXT; f <= PW_REPORT_HTML; f++) {
        pw_buf_clear(&b);
        CHECK_INT(pw_report_render(&none, (pw_report_format)f, &o, &b, NULL), PW_OK);
        CHECK(b.len > 0);
    }
    pw_buf_free(&b);
    CHECK_INT(pw_scan_result_max_severity(&none), -1);
}

PW_TEST_MAIN(PW_TEST(formats_parse), PW_TEST(text), PW_TEST(json), PW_TEST(sarif),
             PW_TEST(sarif_fingerprint), PW_TEST(sarif_no_identifier_values),
             PW_TEST(sarif_names_canary_fields), PW_TEST(search_list_label),
             PW_TEST(sarif_names_each_kind_once), PW_TEST(sarif_masks_identifiers_in_the_path),
             PW_TEST(html), PW_TEST(html_is_valid_utf8), PW_TEST(html_hides_c1_and_bidi),
             PW_TEST(html_policy), PW_TEST(sarif_location_is_a_uri), PW_TEST(html_screenshot),
             PW_TEST(tracker_names), PW_TEST(page_query_values_masked),
             PW_TEST(hit_labels_once_per_field), PW_TEST(html_page_urls_listed_once),
             PW_TEST(text_says_consent_state), PW_TEST(html_pages_table_rows_once),
             PW_TEST(html_titles_mask_typed_values), PW_TEST(states_capture_period),
             PW_TEST(empty_result))
