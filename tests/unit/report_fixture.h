/*
 * report_fixture.h — TEST-ONLY: the hand-built trackers, hits, evidence and findings the report
 * tests render (test_report.c, test_report_summary.c, test_report_what_left.c), and the helpers
 * they read the output with. One copy: a change to what a finding holds is made here once.
 */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include <string.h>

#include "phiwall/report.h"
#include "pw_test.h"

#if defined(__GNUC__)
#define RF_UNUSED __attribute__((unused))
#else
#define RF_UNUSED
#endif

RF_UNUSED static const pw_tracker meta = {.id = "meta-pixel",
                                          .vendor = "Meta",
                                          .product = "Meta Pixel",
                                          .category = PW_CATEGORY_ADVERTISING,
                                          .baa = PW_BAA_NO,
                                          .decoder = "meta"};
RF_UNUSED static const pw_tracker gtm = {.id = "gtm",
                                         .vendor = "Google",
                                         .product = "Google Tag Manager",
                                         .category = PW_CATEGORY_TAG_MANAGER,
                                         .baa = PW_BAA_NO,
                                         .decoder = "generic"};

/* SHA-256 of an e-mail address, as Meta's advanced matching sends it */
#define HASH "8d01416611a03b7c979d6fdee3b16006da68e29b5bd5cbc8785bc0e10205b7e8"
/* a rule's reasoning shared by every finding of it, printed once per report: short enough for
 * one line of the text report's "why:" (its paragraphs wrap at 100 columns) */
#define LEGAL_COND \
    "Elevated risk: a condition page URL with an IP address, shared by such findings."

RF_UNUSED static const pw_hit email_hash[] = {{.category = PW_PHI_EMAIL,
                                               .subtype = "email",
                                               .start = 0,
                                               .end = 64,
                                               .normalized = HASH,
                                               .confidence = 1,
                                               .reason = PW_REASON_CONTEXT}};
RF_UNUSED static const pw_hit dob_hit[] = {{.category = PW_PHI_DATE,
                                            .subtype = "dob",
                                            .start = 0,
                                            .end = 10,
                                            .normalized = "19840719",
                                            .confidence = 1,
                                            .reason = PW_REASON_CONTEXT}};
RF_UNUSED static const pw_hit cancer_url[] = {{.category = PW_PHI_HEALTH,
                                               .subtype = "condition",
                                               .start = 20,
                                               .end = 26,
                                               .normalized = "cancer",
                                               .confidence = 1,
                                               .reason = PW_REASON_VOCABULARY}};
RF_UNUSED static const pw_hit cancer_button[] = {{.category = PW_PHI_HEALTH,
                                                  .subtype = "condition",
                                                  .start = 11,
                                                  .end = 17,
                                                  .normalized = "cancer",
                                                  .confidence = 1,
                                                  .reason = PW_REASON_VOCABULARY}};

/* A portal page's Meta request: a hashed e-mail and a typed date of birth (the first two, what
 * PW-FORM-VALUES marks), the page URL naming a condition and the browser ID beside them. */
RF_UNUSED static const pw_evidence portal_ev[] = {
    {.key = "udff[em]",
     .value = HASH,
     .value_len = 64,
     .kind = PW_FIELD_USER_DATA,
     .hits = email_hash,
     .n_hits = 1},
    {.key = "ud[db]",
     .value = "1984-07-19",
     .value_len = 10,
     .kind = PW_FIELD_FORM_VALUE,
     .hits = dob_hit,
     .n_hits = 1},
    {.key = "dl",
     .value = "https://h.org/portal/cancer",
     .value_len = 27,
     .kind = PW_FIELD_PAGE_URL,
     .hits = cancer_url,
     .n_hits = 1},
    {.key = "fbp", .value = "fb.1.2.3", .value_len = 8, .kind = PW_FIELD_DEVICE_ID},
};
RF_UNUSED static const pw_evidence button_ev[] = {{.key = "cd[buttonText]",
                                                   .value = "Schedule a cancer consultation",
                                                   .value_len = 30,
                                                   .kind = PW_FIELD_BUTTON_TEXT,
                                                   .hits = cancer_button,
                                                   .n_hits = 1}};
RF_UNUSED static const pw_evidence cond_ev[] = {{.key = "dl",
                                                 .value = "https://h.org/care/cancer",
                                                 .value_len = 25,
                                                 .kind = PW_FIELD_PAGE_URL}};

/* The members every hand-built finding names; a finding adds its evidence, request, event and
 * occurrences after them. */
#define RF_FINDING(rule, title_, sev, ctx, legal_, fix, trk, account, page)                       \
    .rule_id = (rule), .title = (title_), .severity = (sev), .context = (ctx), .legal = (legal_), \
    .remediation = (fix), .tracker = (trk), .account_id = (account), .page_url = (page)

/* A tracker on a general page: inventory, one occurrence. */
#define RF_PRESENT(trk, account, page)                                                           \
    RF_FINDING("PW-TRACKER-PRESENT", "Tracker present", PW_SEV_INFO, PW_CTX_GENERAL, "General.", \
               "None.", trk, account, page),                                                     \
        .occurrences = 1

/* Meta's form values (hashed e-mail, date of birth) on a portal page, seen twice. */
RF_UNUSED static pw_finding rf_form_values(const char *account)
{
    return (pw_finding){RF_FINDING("PW-FORM-VALUES", "Form values sent", PW_SEV_CRITICAL,
                                   PW_CTX_AUTHENTICATED, "Typed values identify the visitor.",
                                   "Stop form hashing.", &meta, account,
                                   "https://h.org/portal/cancer"),
                        .occurrences = 2, .evidence = portal_ev, .n_evidence = 2};
}

/* Meta on a condition page: its URL alone, the rule's shared reasoning. */
RF_UNUSED static pw_finding rf_condition(const char *account, const char *page)
{
    return (pw_finding){RF_FINDING("PW-CONDITION-URL", "Condition page URL", PW_SEV_MEDIUM,
                                   PW_CTX_CONDITION, LEGAL_COND,
                                   "Remove Meta Pixel from condition pages.", &meta, account, page),
                        .occurrences = 1, .evidence = cond_ev, .n_evidence = 1};
}

/* Render the findings (a result holding nothing else) in fmt into b (freed by the caller); the
 * report, NUL-terminated. */
RF_UNUSED static char *rf_render_result(const pw_scan_result *r, pw_report_format fmt, pw_buf *b)
{
    pw_buf_init(b);
    pw_report_opts o = {.color = 0, .tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(r, fmt, &o, b, &err), PW_OK);
    pw_buf_putc(b, '\0');
    return b->data ? b->data : "";
}

RF_UNUSED static char *rf_render(pw_report_format fmt, const pw_finding *f, size_t n, pw_buf *b)
{
    pw_scan_result r = {.findings = f, .n_findings = n, .target = "t.har", .source = PW_SOURCE_HAR};
    return rf_render_result(&r, fmt, b);
}

/* How many times needle is in hay, not overlapping. */
RF_UNUSED static size_t rf_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#endif
