/*
 * test_report_what_left.c — what a privacy officer reads first in the terminal report: a table
 * "What each tracker received" (per tracker and account: the worst severity, how many findings,
 * the HHS contexts of their pages, and the PHI by the kind of field it was in — a hashed email
 * in user data, a condition in button text or the page URL); a hashed identifier labelled as a
 * hash instead of its 64-digit digest again; and a rule's legal reasoning printed once, not
 * with each of its findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/report.h"
#include "pw_test.h"
#include "report/text_table.h"
#include "report_fixture.h"

static const pw_finding findings[] = {
    {RF_FINDING("PW-AUTH-TRACKER", "Tracker on an authenticated page", PW_SEV_CRITICAL,
                PW_CTX_AUTHENTICATED, "Authenticated pages: a disclosure.",
                "Remove it from the portal.", &gtm, "GTM-1", "https://h.org/portal/cancer"),
     .occurrences = 1},
    {RF_FINDING("PW-FORM-VALUES", "Form values sent", PW_SEV_CRITICAL, PW_CTX_AUTHENTICATED,
                "Typed values identify the visitor.", "Stop form hashing.", &meta, "111",
                "https://h.org/portal/cancer"),
     .occurrences = 2, .evidence = portal_ev, .n_evidence = 4},
    {RF_FINDING("PW-BUTTON-TEXT", "Button text", PW_SEV_HIGH, PW_CTX_CONDITION,
                "The button tells what care.", "Turn off automatic events.", &meta, "111",
                "https://h.org/care/cancer"),
     .occurrences = 1, .evidence = button_ev, .n_evidence = 1},
    {RF_FINDING("PW-CONDITION-URL", "Condition page URL", PW_SEV_MEDIUM, PW_CTX_CONDITION,
                LEGAL_COND, "Remove Meta Pixel from condition pages.", &meta, "111",
                "https://h.org/care/cancer"),
     .occurrences = 1, .evidence = cond_ev, .n_evidence = 1},
    {RF_FINDING("PW-CONDITION-URL", "Condition page URL", PW_SEV_MEDIUM, PW_CTX_CONDITION,
                LEGAL_COND, "Remove Google Tag Manager from condition pages.", &gtm, "GTM-1",
                "https://h.org/care/cancer"),
     .occurrences = 1, .evidence = cond_ev, .n_evidence = 1},
    {RF_PRESENT(&meta, "999", "https://h.org/news")},
};

static char *render_as(pw_report_format fmt, const pw_finding *f, size_t n, pw_buf *b)
{
    return rf_render(fmt, f, n, b);
}

static char *render(const pw_finding *f, size_t n, pw_buf *b)
{
    return rf_render(PW_REPORT_TEXT, f, n, b);
}

static int column_of(const char *line, const char *word)
{
    const char *p = strstr(line, word);
    return p ? tt_text_width(line) - tt_text_width(p) : -1;
}

/* The text from display column `from` to the end of the row starting at `row` and of its
 * continuation lines (those starting with a blank), words joined with a space, into out. */
static void column_rest(const char *row, int from, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = row; *p && (p == row || *p == ' ');) {
        size_t n = strcspn(p, "\n");
        size_t at = 0;
        for (int cps = 0; at < n && cps < from; cps++)
            for (at++; at < n && ((unsigned char)p[at] & 0xC0) == 0x80; at++) {}
        if (at < n)
            snprintf(out + strlen(out), cap - strlen(out), "%s%.*s", out[0] ? " " : "",
                     (int)(n - at), p + at);
        p += n + (p[n] == '\n');
    }
}

/* The row of the table under `head` whose first line holds `needle`. */
static const char *row_with(const char *text, const char *head, const char *needle)
{
    const char *p = strstr(text, head);
    while (p && (p = strchr(p, '\n')) != NULL && p[1] && p[1] != '\n') {
        p++;
        size_t n = strcspn(p, "\n");
        const char *hit = strstr(p, needle);
        if (hit && hit < p + n)
            return p;
    }
    return NULL;
}

static void table_says_what_left_per_tracker(void)
{
    pw_buf b;
    char *t = render(findings, sizeof findings / sizeof findings[0], &b);
    const char *head = strstr(t, "What each tracker received");
    CHECK(head != NULL);
    /* before the findings table: what an officer asks first */
    CHECK(head && strstr(t, "SEVERITY") && head < strstr(t, "SEVERITY"));
    const char *hdr = head ? strstr(head, "\nTRACKER") : NULL;
    CHECK(hdr != NULL);
    if (!hdr) {
        pw_buf_free(&b);
        return;
    }
    hdr++;
    char hl[512];
    snprintf(hl, sizeof hl, "%.*s", (int)strcspn(hdr, "\n"), hdr);
    int what_col = column_of(hl, "WHAT LEFT"), ctx_col = column_of(hl, "ON PAGES");
    CHECK(what_col > 0 && ctx_col > 0);
    const char *meta_row = row_with(hdr, "TRACKER", "Meta Pixel");
    const char *gtm_row = row_with(hdr, "TRACKER", "Google Tag Manager");
    CHECK(meta_row && gtm_row);
    if (meta_row && gtm_row) {
        char what[1024], ctx[256];
        column_rest(meta_row, what_col, what, sizeof what);
        CHECK_STR(what, "typed values: date of birth; user data (hashed): email; button text: "
                        "health; page URL: health");
        /* worst severity and findings count; the info finding of account 999 has no row */
        CHECK(strstr(meta_row, " 111 ") && strstr(meta_row, " critical ") &&
              strstr(meta_row, " 3  "));
        CHECK(strstr(hdr, "999") == NULL || strstr(hdr, "999") > strstr(hdr, "\n\n"));
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(meta_row, "\n"), meta_row);
        /* the contexts, most sensitive first, in their own column */
        snprintf(ctx, sizeof ctx, "%.*s", what_col - ctx_col, line + ctx_col);
        CHECK(strncmp(ctx, "authenticated", 13) == 0);
        column_rest(gtm_row, what_col, what, sizeof what);
        CHECK_STR(what, "page URL (no PHI value marked in it)");
        CHECK(strstr(gtm_row, " GTM-1 ") && strstr(gtm_row, " critical ") &&
              strstr(gtm_row, " 2  "));
    }
    pw_buf_free(&b);

    /* a script load alone (no field) says so */
    t = render(findings, 1, &b);
    const char *g = row_with(t, "What each tracker received", "Google Tag Manager");
    CHECK(g && strstr(g, "its tag loaded (no field to mark)"));
    pw_buf_free(&b);

    /* nothing marked: the kinds of field that named the page, else identifiers alone */
    static const pw_evidence page_ev[] = {
        {.key = "header:referer",
         .value = "https://h.org/",
         .value_len = 14,
         .kind = PW_FIELD_REFERRER},
        {.key = "tiba", .value = "Home", .value_len = 4, .kind = PW_FIELD_PAGE_TITLE},
        {.key = "fbp", .value = "fb.1.2.3", .value_len = 8, .kind = PW_FIELD_DEVICE_ID}};
    pw_finding plain = findings[3];
    plain.evidence = page_ev;
    plain.n_evidence = 3;
    t = render(&plain, 1, &b);
    CHECK(strstr(t, "  referrer, page title (no PHI value marked in it)\n") != NULL);
    pw_buf_free(&b);
    plain.evidence = page_ev + 2;
    plain.n_evidence = 1;
    t = render(&plain, 1, &b);
    CHECK(strstr(t, "  identifiers only (no PHI value marked)\n") != NULL);
    pw_buf_free(&b);

    /* a canary is named by the field the scan typed it into, under each kind of field; a
     * label reaches the terminal without control characters */
    static const pw_hit canary_hits[] = {{.category = PW_PHI_CANARY,
                                          .subtype = "sha256",
                                          .start = 0,
                                          .end = 64,
                                          .reason = PW_REASON_CANARY,
                                          .reason_detail = "email"},
                                         {.category = PW_PHI_CANARY,
                                          .subtype = "sha256",
                                          .start = 0,
                                          .end = 64,
                                          .reason = PW_REASON_CANARY,
                                          .reason_detail = "first\x1b[2Jname"},
                                         {.category = PW_PHI_CANARY,
                                          .subtype = "plain",
                                          .start = 0,
                                          .end = 64,
                                          .reason = PW_REASON_CANARY,
                                          .reason_detail = "email"}};
    static const pw_evidence canary_ev[] = {{.key = "udff[em]",
                                             .value = HASH,
                                             .value_len = 64,
                                             .kind = PW_FIELD_USER_DATA,
                                             .hits = canary_hits,
                                             .n_hits = 3}};
    pw_finding typed = findings[1];
    typed.evidence = canary_ev;
    typed.n_evidence = 1;
    t = render(&typed, 1, &b);
    CHECK(strstr(t, "  user data (hashed): canary 'email', 'first\\x1b[2Jname'\n") != NULL);
    CHECK(strchr(t, '\x1b') == NULL);
    pw_buf_free(&b);

    /* only info findings: no table (nothing left beyond inventory) */
    t = render(findings + 5, 1, &b);
    CHECK(strstr(t, "What each tracker received") == NULL);
    pw_buf_free(&b);
}

static void hashed_identifier_is_labelled_as_a_hash(void)
{
    pw_buf b;
    char *t = render(findings, sizeof findings / sizeof findings[0], &b);
    CHECK(strstr(t, "  evidence: udff[em] (user data) = [[" HASH "]]  ← email, SHA-256 hashed\n") !=
          NULL);
    /* the digest once on its line, not again in the label */
    const char *line = strstr(t, "evidence: udff[em]");
    const char *first = line ? strstr(line, HASH) : NULL;
    const char *again = first ? strstr(first + 64, HASH) : NULL;
    CHECK(first && (!again || again > strchr(line, '\n')));
    /* a value that is not a digest keeps its normalised form */
    CHECK(strstr(t, "← date (dob): 19840719\n") != NULL);
    pw_buf_free(&b);
}

static void reasoning_once_per_rule(void)
{
    pw_buf b;
    char *t = render(findings, sizeof findings / sizeof findings[0], &b);
    CHECK_INT(rf_count(t, LEGAL_COND), 1);
    CHECK_INT(rf_count(t, "  why:      as for the first PW-CONDITION-URL finding above\n"), 1);
    /* each finding still has its own fix, and other rules their reasoning */
    CHECK_INT(rf_count(t, "Remove Google Tag Manager from condition pages."), 1);
    CHECK_INT(rf_count(t, "Remove Meta Pixel from condition pages."), 1);
    CHECK_INT(rf_count(t, "  why:      The button tells what care.\n"), 1);
    pw_buf_free(&b);
    /* a finding whose reasoning differs from its rule's first gets its own */
    pw_finding two[2] = {findings[3], findings[4]};
    two[1].legal = "Another paragraph.";
    t = render(two, 2, &b);
    CHECK_INT(rf_count(t, LEGAL_COND), 1);
    CHECK_INT(rf_count(t, "  why:      Another paragraph.\n"), 1);
    pw_buf_free(&b);
}

/* The HTML report (the privacy officer's) has the same table, before the findings by page. */
static void html_says_what_left_per_tracker(void)
{
    pw_buf b;
    char *t = render_as(PW_REPORT_HTML, findings, sizeof findings / sizeof findings[0], &b);
    const char *sec = strstr(t, "<h2>What each tracker received</h2>");
    const char *by_page = strstr(t, "<h2>Findings by page</h2>");
    CHECK(sec && by_page && sec < by_page);
    const char *row = sec ? strstr(sec, "<tr><td>Meta Pixel</td><td><code>111</code></td>") : NULL;
    CHECK(row && row < by_page);
    CHECK(row && strstr(row, "<span class=\"badge sev-critical\">critical</span></td><td>3</td>"
                             "<td><span class=\"ctx authenticated\">authenticated</span> "
                             "<span class=\"ctx condition\">condition</span> </td>"
                             "<td class=\"what\">typed values: date of birth\nuser data "
                             "(hashed): email\nbutton text: health\npage URL: health</td>") ==
                     row + strlen("<tr><td>Meta Pixel</td><td><code>111</code></td><td>"));
    CHECK(strstr(t, "<code>999</code></td><td><span class=\"badge") == NULL);
    pw_buf_free(&b);
}

/* The reasoning and the fix wrap at 100 columns under their label, word for word: a 500-column
 * line wraps at a terminal's or a ticket's edge, under the labels. A word longer than a line
 * (a code snippet, a URL) stays whole on a line of its own. */
static void reasoning_and_fix_wrap(void)
{
    static const char *legal =
        "Under the HHS guidance a covered entity may disclose PHI to a tracking vendor only under "
        "a business associate agreement or with HIPAA authorization; this vendor is not known to "
        "sign one, so PHI collected on this page would be an impermissible disclosure.";
    char fix[512];
    snprintf(fix, sizeof fix,
             "Stop the pixel reading forms: `fbq('set','autoConfig',false,'%s%s')` before "
             "`fbq('init','111')`, then check  the page.",
             "1234567890123456789012345678901234567890",
             "1234567890123456789012345678901234567890");
    pw_finding one = findings[2];
    one.legal = legal;
    one.remediation = fix;
    pw_buf b;
    char *t = render(&one, 1, &b);
    const char *why = strstr(t, "  why:      ");
    const char *fx = strstr(t, "  fix:      ");
    CHECK(why && fx);
    if (!why || !fx) {
        pw_buf_free(&b);
        return;
    }
    /* every line of both paragraphs within 100 columns, except a single word longer than that */
    int lines = 0;
    char joined[2][1024] = {"", ""};
    for (int k = 0; k < 2; k++)
        for (const char *p = k ? fx : why; *p;) {
            size_t n = strcspn(p, "\n");
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)n, p);
            CHECK(strncmp(line,
                          p == (k ? fx : why) ? (k ? "  fix:      " : "  why:      ")
                                              : "            ",
                          12) == 0);
            CHECK(tt_text_width(line) <= 100 || strchr(line + 12, ' ') == NULL);
            snprintf(joined[k] + strlen(joined[k]), sizeof joined[k] - strlen(joined[k]), "%s%s",
                     joined[k][0] ? " " : "", line + 12);
            lines++;
            p += n + (p[n] == '\n');
            if (*p != ' ' || strncmp(p, "  fix:", 6) == 0 || strncmp(p, "  why:", 6) == 0)
                break;
        }
    CHECK(lines >= 5);
    CHECK_STR(joined[0], legal);
    /* the snippet whole, on a line of its own; the gap inside the text as written */
    CHECK(strstr(t, "\n            `fbq('set','autoConfig',false,'12345678901234567890") != NULL);
    CHECK(strstr(joined[1], "check  the page.") != NULL);
    pw_buf_free(&b);
}

/* An evidence line says what kind of field a tracker's terse parameter is ("dl (page URL)"),
 * and names the Referer header and a cookie as a reader knows them, not by the scan's internal
 * keys ("header:referer", "cookie:IDE"): a privacy officer reading "header:referer = …" or
 * "dl = …" was left to guess. */
static void evidence_names_the_kind_of_field(void)
{
    static const pw_evidence ev[] = {
        {.key = "dl",
         .value = "https://h.org/care/cancer",
         .value_len = 25,
         .kind = PW_FIELD_PAGE_URL},
        {.key = "header:referer",
         .value = "https://h.org/care/cancer",
         .value_len = 25,
         .kind = PW_FIELD_REFERRER},
        {.key = "cookie:IDE",
         .value = "[18-byte value withheld]",
         .value_len = 24,
         .kind = PW_FIELD_DEVICE_ID},
        {.key = "v", .value = "2", .value_len = 1, .kind = PW_FIELD_OTHER}};
    pw_finding f = findings[3];
    f.evidence = ev;
    f.n_evidence = 4;
    pw_buf b;
    char *t = render(&f, 1, &b);
    CHECK(strstr(t, "  evidence: dl (page URL) = https://h.org/care/cancer\n") != NULL);
    CHECK(strstr(t, "  evidence: Referer header = https://h.org/care/cancer\n") != NULL);
    CHECK(strstr(t, "  evidence: cookie IDE (device ID) = [18-byte value withheld]\n") != NULL);
    CHECK(strstr(t, "  evidence: v = 2\n") != NULL); /* a field of no known kind: its name */
    CHECK(strstr(t, "header:referer") == NULL && strstr(t, "cookie:IDE") == NULL);
    pw_buf_free(&b);
}

PW_TEST_MAIN(PW_TEST(table_says_what_left_per_tracker), PW_TEST(evidence_names_the_kind_of_field),
             PW_TEST(reasoning_and_fix_wrap), PW_TEST(html_says_what_left_per_tracker),
             PW_TEST(hashed_identifier_is_labelled_as_a_hash), PW_TEST(reasoning_once_per_rule))
