/*
 * test_report_text.c — the terminal report's tables: columns fitted to their content (a long
 * tracker label wraps at a word boundary instead of being cut to "ad server or data br"), the
 * table at most 120 columns wide, long page paths wrapped after a slash or hyphen (never cut),
 * counts right-aligned, UTF-8 widths,
 * no trailing blanks, the same output on every render; what the scanned site chose (values,
 * accounts, events, URLs) never reaches the terminal as a control character; and text_table.c on
 * its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/report.h"
#include "pw_test.h"
#include "report/text_table.h"

static const pw_tracker meta = {.id = "meta-pixel",
                                .vendor = "Meta",
                                .product = "Meta Pixel",
                                .category = PW_CATEGORY_ADVERTISING,
                                .baa = PW_BAA_NO,
                                .decoder = "meta"};
static const pw_tracker broker = {.id = "easylist",
                                  .vendor = "unknown",
                                  .product = "ad server or data broker (EasyList)",
                                  .category = PW_CATEGORY_ADVERTISING,
                                  .baa = PW_BAA_UNKNOWN,
                                  .decoder = "generic"};
static const pw_request broker_req = {.method = "GET",
                                      .url = "https://ps.eyeota.net/pixel?ref=x#y"};

static pw_finding findings[] = {
    {.rule_id = "PW-CONDITION-URL",
     .title = "Condition page",
     .severity = PW_SEV_MEDIUM,
     .context = PW_CTX_CONDITION,
     .legal = "Elevated risk.",
     .remediation = "Remove it.",
     .tracker = &broker,
     .page_url = "https://www.example-hospital.org/conditions/asthma",
     .occurrences = 1,
     .request = &broker_req},
    {.rule_id = "PW-TRACKER-PRESENT",
     .title = "Tracker present",
     .severity = PW_SEV_INFO,
     .context = PW_CTX_GENERAL,
     .legal = "General.",
     .remediation = "None.",
     .tracker = &meta,
     .account_id = "123456789012345",
     .page_url = "https://www.example-hospital.org/news/2026/a-very-long-article-title-about-"
                 "the-new-wing-of-the-hospital-and-its-opening?utm_source=x",
     .occurrences = 1234},
};

static const pw_scan_result result = {.findings = findings,
                                      .n_findings = 2,
                                      .n_requests = 3,
                                      .target = "t.har",
                                      .source = PW_SOURCE_HAR};

static char *render(void)
{
    static pw_buf b;
    pw_buf_free(&b);
    pw_buf_init(&b);
    pw_report_opts o = {.color = 0, .tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&result, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    return b.data ? b.data : "";
}

/* Line i (0-based) after the one that starts with `head`, copied into out. */
static const char *line_after(const char *text, const char *head, int i, char *out, size_t cap)
{
    const char *p = strstr(text, head);
    for (; p && i > 0; i--) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return "";
    size_t n = strcspn(p, "\n");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    return out;
}

static int column_of(const char *line, const char *word)
{
    const char *p = strstr(line, word);
    return p ? tt_text_width(line) - tt_text_width(p) : -1;
}

/* The text of column [from, to) of a table row and its continuation lines (those that start
 * with a blank), joined with `join` (" " for words, "" for a path), into out. Returns the number
 * of lines. */
static int column_text(const char *row, int from, int to, const char *join, char *out, size_t cap)
{
    out[0] = '\0';
    int lines = 0;
    for (const char *p = row; *p && (lines == 0 || *p == ' '); lines++) {
        size_t n = strcspn(p, "\n");
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        if (tt_text_width(line) > from) {
            size_t at = 0, end; /* bytes of display columns `from` and `to` */
            for (int cps = 0; line[at] && cps < from; cps++)
                for (at++; ((unsigned char)line[at] & 0xC0) == 0x80; at++) {}
            end = at;
            for (int cps = from; line[end] && cps < to; cps++)
                for (end++; ((unsigned char)line[end] & 0xC0) == 0x80; end++) {}
            char piece[256];
            snprintf(piece, sizeof piece, "%.*s", (int)(end - at), line + at);
            for (size_t k = strlen(piece); k && piece[k - 1] == ' '; k--)
                piece[k - 1] = '\0';
            if (piece[0] && out[0])
                snprintf(out + strlen(out), cap - strlen(out), "%s", join);
            snprintf(out + strlen(out), cap - strlen(out), "%s", piece);
        }
        p += n + (p[n] == '\n');
    }
    return lines;
}

static void findings_table_fits_labels(void)
{
    char *t = render();
    char head[256], row[256], info[256];
    line_after(t, "SEVERITY", 0, head, sizeof head);
    line_after(t, "SEVERITY", 1, row, sizeof row);
    int tracker = column_of(head, "TRACKER"), account = column_of(head, "ACCOUNT");
    int page = column_of(head, "PAGE");
    const char *first = strchr(strstr(t, "SEVERITY"), '\n') + 1;
    /* the label wraps at a word, the rest on the next lines in the same column: read back, the
     * column holds the whole label, and a filter-list finding's company (its request host) is
     * part of the tracker's name, not an account: a privacy officer reads the ACCOUNT column as
     * the site's own pixel or property ID */
    char label[256], acct[256];
    int lines = column_text(first, tracker, account, " ", label, sizeof label);
    CHECK_STR(label, "ad server or data broker (EasyList) at ps.eyeota.net");
    column_text(first, account, page, " ", acct, sizeof acct);
    CHECK_STR(acct, "-");
    CHECK(strstr(t, "data br ") == NULL);
    line_after(t, "SEVERITY", 1 + lines, info, sizeof info);
    CHECK_INT(column_of(info, "123456789012345"), account);
    /* a page longer than its column wraps after a slash or hyphen, never cut: read back, the
     * column holds the whole path (without its query); the count right-aligned */
    char path[256];
    const char *info_row = strstr(first, "info ");
    CHECK_INT(column_text(info_row, page, tt_text_width(head) - 4, "", path, sizeof path), 3);
    CHECK_STR(path, "/news/2026/a-very-long-article-title-about-the-new-wing-of-the-hospital-"
                    "and-its-opening");
    CHECK(strstr(t, "…") == NULL);
    CHECK(strstr(info, "utm_source") == NULL);
    CHECK_INT(tt_text_width(info), tt_text_width(head));
    CHECK(tt_text_width(row) <= 120 && tt_text_width(info) <= 120);
    CHECK(row[strlen(row) - 1] == '1' && info[strlen(info) - 1] == '4');
    /* the details name the company the same way, and the request the evidence comes from,
     * without its query */
    CHECK(strstr(t, "tracker:  ad server or data broker (EasyList) at ps.eyeota.net, 1 request") !=
          NULL);
    CHECK(strstr(t, "request:  GET https://ps.eyeota.net/pixel\n") != NULL);
    /* and the inventory keeps the whole label too */
    CHECK(strstr(t, "Trackers seen") == NULL || strstr(t, "data broker (EasyList)") != NULL);
    /* stable: the same bytes on every render */
    char *copy = strdup(t);
    CHECK_STR(render(), copy);
    free(copy);
}

/* The assessor makes one finding of the page URLs that differ only in their query string
 * (pw_url_page_key); its row shows the page without the host when every page is on one host,
 * with the number of URLs after it, and the details say how many more there are. */
static const char *const request_urls[] = {"https://h.org/appointments/request?doctor=a",
                                           "https://h.org/appointments/request?doctor=b"};
static const char *const long_urls[] = {
    "https://h.org/appointments/request-a-visit-with-one-of-our-specialists-in-cardiology?doctor=c",
    "https://h.org/appointments/"
    "request-a-visit-with-one-of-our-specialists-in-cardiology?doctor=d"};
/* A medium PW-NO-BAA finding of the Meta Pixel on `url`, standing for `n` page URLs. */
#define NO_BAA(account, url, occ, n, urls)                                              \
    {                                                                                   \
        .rule_id = "PW-NO-BAA", .title = "No BAA", .severity = PW_SEV_MEDIUM,           \
        .context = PW_CTX_CARE_INTENT, .legal = "No BAA.", .remediation = "Remove it.", \
        .tracker = &meta, .account_id = account, .page_url = url, .occurrences = occ,   \
        .page_variants = n, .page_urls = urls, .n_page_urls = n                         \
    }
static const pw_finding variants[] = {
    NO_BAA("1", "https://h.org/appointments/request?doctor=a", 5, 2, request_urls),
    NO_BAA("2", "https://h.org/appointments/request?doctor=a", 1, 1, request_urls), /* own row */
    NO_BAA("1",
           "https://h.org/appointments/"
           "request-a-visit-with-one-of-our-specialists-in-cardiology?doctor=c",
           2, 2, long_urls),
};
#undef NO_BAA

static void query_variants_share_a_row(void)
{
    pw_scan_result vr = {.findings = (pw_finding *)variants,
                         .n_findings = sizeof variants / sizeof variants[0],
                         .target = "t.har",
                         .source = PW_SOURCE_HAR};
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.color = 0, .tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(&vr, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    const char *t = b.data ? b.data : "";
    char l1[256], l2[256], l3[256], l4[256];
    line_after(t, "SEVERITY", 1, l1, sizeof l1);
    line_after(t, "SEVERITY", 2, l2, sizeof l2);
    line_after(t, "SEVERITY", 3, l3, sizeof l3);
    line_after(t, "SEVERITY", 4, l4, sizeof l4);
    CHECK(strstr(t, "Pages on h.org\n") != NULL);
    CHECK(strstr(l1, " 1 ") && strstr(l1, " /appointments/request (2 URLs)") &&
          l1[strlen(l1) - 1] == '5');
    CHECK(strstr(l2, " 2 ") && strstr(l2, " /appointments/request ") && !strstr(l2, "URLs"));
    /* a long path wraps in the 48-wide column, the count after it: nothing is cut */
    CHECK(strstr(l3, " /appointments/request-a-visit-with-one-of-our- ") &&
          l3[strlen(l3) - 1] == '2');
    CHECK(strstr(l4, "  specialists-in-cardiology (2 URLs)") &&
          column_of(l4, "specialists") == column_of(l3, "/appointments"));
    CHECK(!strstr(l1, "…") && !strstr(l2, "…") && !strstr(l3, "…") && !strstr(l4, "…"));
    CHECK(strstr(t, "3 informational") == NULL);
    /* the details name the evidence's page and how many more there are */
    CHECK(strstr(t, "page:     https://h.org/appointments/request?doctor=… (care-intent)\n"
                    "            and 1 more URL of this page") != NULL);
    pw_buf_free(&b);
    /* pages on several hosts keep their host in the table */
    pw_finding two[2] = {variants[0], variants[1]};
    two[1].page_url = "https://other.org/x";
    vr.findings = two;
    vr.n_findings = 2;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&vr, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    t = b.data ? b.data : "";
    CHECK(strstr(t, "Pages on") == NULL);
    CHECK(strstr(t, " h.org/appointments/request (2 URLs)") && strstr(t, " other.org/x "));
    pw_buf_free(&b);
}

static char *table_text(const tt_col *cols, size_t n_cols, const char *const *rows, size_t n_rows,
                        int max_total, pw_buf *b)
{
    tt_table t;
    tt_init(&t, cols, n_cols);
    for (int pass = 0; pass == 0 || (pass == 1 && tt_fit(&t, max_total)); pass++)
        for (size_t r = 0; r < n_rows; r++)
            for (size_t c = 0; c < n_cols; c++)
                tt_measure(&t, c, rows[r * n_cols + c]);
    tt_header(&t, b, "", NULL, NULL);
    for (size_t r = 0; r < n_rows; r++)
        tt_row(&t, b, "", rows + r * n_cols, NULL, NULL);
    return b->data;
}

static void table_wraps_and_cuts(void)
{
    static const tt_col cols[] = {
        {"NAME", 12, 1, 0, 0, 0}, {"URL", 10, 0, 0, 0, 0}, {"N", 0, 0, 1, 0, 0}};
    static const char *const rows[] = {
        "Café Pixel",
        "h.org/a",
        "7", /* fits: widths count code points */
        "a very long name",
        "h.org/abcdefghijkl",
        "123", /* wraps; URL cut */
        "Supercalifragilistic x",
        "-",
        "1", /* a word longer than 12: cut, "…" */
        "at confiant-integrations.global.ssl.fastly.net",
        "-",
        "2", /* a host longer than 12: wrapped after a hyphen or dot that fits */
    };
    pw_buf b;
    pw_buf_init(&b);
    const char *want = "NAME          URL           N\n"
                       "Café Pixel    h.org/a       7\n"
                       "a very long   h.org/abc…  123\n"
                       "name\n"
                       "Supercalifr…  -             1\n"
                       "x\n"
                       "at            -             2\n"
                       "confiant-\n"
                       "integration…\n"; /* no dot or hyphen within 12: cut, as any word */
    CHECK_STR(table_text(cols, 3, rows, 4, 200, &b), want);
    pw_buf_free(&b);
}

static void table_fits_total(void)
{
    /* 20 + 2 + 20 wide, at most 30: the wrap column gives way first, down to its min */
    static const tt_col cols[] = {{"A", 20, 1, 0, 8, 0}, {"B", 20, 0, 0, 10, 0}};
    static const char *const rows[] = {"one two three four", "0123456789abcdefghij"};
    pw_buf b;
    pw_buf_init(&b);
    const char *want = "A        B\n" /* narrowed to 8, then to its widest line */
                       "one two  0123456789abcdefghij\n"
                       "three\n"
                       "four\n";
    CHECK_STR(table_text(cols, 2, rows, 1, 30, &b), want);
    pw_buf_free(&b);
    CHECK_INT(tt_text_width("é…x"), 3);
}

/* A scanned site picks its page titles, URLs and event data: an ESC could clear the screen or
 * recolour it, a CR LF forge a report line, a bidi override reorder one, a stray byte be read as
 * a C1 control. The report shows every one of them as an escape. */
static void site_text_cannot_drive_the_terminal(void)
{
    static const pw_hit hits[] = {{.category = PW_PHI_HEALTH,
                                   .subtype = "condition",
                                   .start = 0,
                                   .end = 3,
                                   .normalized = "hiv\x1b[2J"}};
    static const pw_evidence ev = {.key = "cd[x\x1b]",
                                   .value = "HIV\x1b[31m red\r\n[critical] FAKE\xff\xc2\x9b",
                                   .value_len = 32,
                                   .hits = hits,
                                   .n_hits = 1};
    pw_finding f = findings[0];
    f.tracker = &meta;
    f.account_id = "1\x1b]0;title\a";
    f.event_name = "Lead\xe2\x80\xae";
    f.page_url = "https://h.org/a\tb\x7f";
    f.remediation = "Remove it from h.org/\x1b[2J/*.";
    f.evidence = &ev;
    f.n_evidence = 1;
    pw_tracker_use use = {.tracker = &meta, .account_id = "2\x1b[K", .n_requests = 1, .n_pages = 1};
    const char *events[] = {"ev\r"};
    use.events = events;
    use.n_events = 1;
    pw_scan_result r = {.findings = &f,
                        .n_findings = 1,
                        .trackers = &use,
                        .n_trackers = 1,
                        .target = "t\x1b.har",
                        .source = PW_SOURCE_HAR};
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.color = 0};
    pw_err err;
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    const char *t = b.data ? b.data : "";
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)t[i] < 0x20 && t[i] != '\n')
            CHECK_INT((unsigned char)t[i], '\n'); /* names the byte that got through */
    CHECK(strchr(t, 0x7f) == NULL && strstr(t, "\xff") == NULL && strstr(t, "\xc2\x9b") == NULL);
    CHECK(strstr(t, "\xe2\x80\xae") == NULL);
    CHECK(strstr(t, "\n[critical] FAKE") == NULL);
    CHECK(strstr(t, "evidence: cd[x\\x1b] = [[HIV]]\\x1b[31m red\\r\\n[critical] "
                    "FAKE\\xff\\u009b  ← health (condition): hiv\\x1b[2J\n") != NULL);
    CHECK(strstr(t, "tracker:  Meta Pixel, account 1\\x1b]0;title\\x07, event Lead\\u202e,") !=
          NULL);
    CHECK(strstr(t, "page:     https://h.org/a\\tb\\x7f (") != NULL);
    CHECK(strstr(t, "fix:      Remove it from h.org/\\x1b[2J/*.\n") != NULL);
    CHECK(strstr(t, "phiwall scan  t\\x1b.har\n") != NULL);
    CHECK(strstr(t, "0 pages, 0 requests (0 third-party), 0 tracker beacons\n") != NULL);
    CHECK(strstr(t, "  Meta Pixel  2\\x1b[K  1 beacon  on 1 page  events: ev\\r\n") != NULL);
    pw_buf_free(&b);
    /* one of each is said in the singular */
    r.n_pages = r.n_requests = r.n_beacons = r.n_tracker_beacons = 1;
    pw_buf_init(&b);
    CHECK_INT(pw_report_render(&r, PW_REPORT_TEXT, &o, &b, &err), PW_OK);
    CHECK(b.data && strstr(b.data, "1 page, 1 request (0 third-party), 1 tracker beacon\n"));
    pw_buf_free(&b);
    /* valid UTF-8 is kept; a cut sequence is not passed on half */
    pw_buf_init(&b);
    pw_report_text_safe(&b, "Café \xf0\x9f\x98\x80 \xe2\x80", 13);
    CHECK_INT((int)b.len, 19);
    CHECK(b.data && memcmp(b.data, "Café \xf0\x9f\x98\x80 \\xe2\\x80", 19) == 0);
    pw_buf_free(&b);
    /* a line separator would forge a line of a log; direction marks reorder what follows */
    pw_buf_init(&b);
    pw_report_text_safe(&b,
                        "a\xe2\x80\xa8"
                        "b\xe2\x80\xa9"
                        "c\xe2\x80\x8f"
                        "d\xe2\x80\x8e"
                        "e\xd8\x9c"
                        "f",
                        20);
    CHECK_INT((int)b.len, 36);
    CHECK(b.data && memcmp(b.data, "a\\u2028b\\u2029c\\u200fd\\u200ee\\u061cf", 36) == 0);
    pw_buf_free(&b);
}

PW_TEST_MAIN(PW_TEST(findings_table_fits_labels), PW_TEST(query_variants_share_a_row),
             PW_TEST(site_text_cannot_drive_the_terminal), PW_TEST(table_wraps_and_cuts),
             PW_TEST(table_fits_total))
