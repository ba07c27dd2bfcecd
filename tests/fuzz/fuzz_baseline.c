/* fuzz_baseline.c — pw_baseline_parse on any bytes (an earlier JSON report given to
 * `scan --baseline`): no crash, an error always says something and leaves no baseline; a
 * baseline that parses holds findings with a fingerprint, a rule and a known severity, and a
 * comparison with a small scan accounts for every finding once on each side (new + unchanged =
 * the scan's findings, unchanged + gone + not rechecked = the baseline's; a finding on a page the
 * scan did not visit, whose tracker failed or of the logged-in area after a failed login is
 * never gone) and renders in every format. The streamed reader (`scan --baseline FILE`, runs of
 * 1 to 64 bytes here, the input's size choosing) gives the same status, message and findings as
 * the whole-text parse. */
#include "pw_fuzz.h"
#include <stdio.h>
#include <string.h>

#include "phiwall/baseline.h"
#include "phiwall/json_reserve.h"
#include "phiwall/report.h"
#include "phiwall/url.h"
#include "report/report_internal.h"

static const pw_finding scan[] = {
    {.rule_id = "PW-CONDITION-URL",
     .severity = PW_SEV_MEDIUM,
     .account_id = "1",
     .page_url = "https://h.org/conditions/asthma",
     .occurrences = 1,
     .page_variants = 1,
     .title = "t",
     .legal = "l",
     .remediation = "r"},
    {.rule_id = "PW-FORM-VALUES",
     .severity = PW_SEV_CRITICAL,
     .account_id = "1",
     .page_url = "https://h.org/a?x=1",
     .occurrences = 1,
     .page_variants = 1,
     .title = "t",
     .legal = "l",
     .remediation = "r"},
};

static const pw_page pages[] = {{.url = "https://h.org/conditions/asthma"},
                                {.url = "https://h.org/a?x=1"}};
static const pw_hhs_context contexts[2];
static const pw_capture_gap gaps[] = {
    {.kind = PW_GAP_SCRIPT,
     .url = "https://connect.facebook.net/fbevents.js",
     .page_url = "https://h.org/a",
     .tracker_id = "meta-pixel"},
    {.kind = PW_GAP_PAGE, .url = "https://h.org/failed"},
    {.kind = PW_GAP_LOGIN, .url = "https://h.org/login"},
};

/* Gone only where the scan looked: a visited page, no failed script there or of its tracker,
 * not of the logged-in area (the login failed). */
static int looked_at(const pw_baseline_finding *g)
{
    if ((g->tracker_id && strcmp(g->tracker_id, "meta-pixel") == 0) ||
        (g->context && strcmp(g->context, "authenticated") == 0))
        return 0;
    if (!g->page_url)
        return 1;
    char key[512];
    pw_url_page_key(g->page_url, key, sizeof key);
    if (strcmp(key, "h.org/conditions/asthma") != 0 && strcmp(key, "h.org/a") != 0)
        return 0;
    return strcmp(key, "h.org/a") != 0;
}

static void render_all(const pw_scan_result *r, const pw_baseline_diff *d)
{
    for (int f = PW_REPORT_TEXT; f <= PW_REPORT_HTML; f++) {
        pw_buf b;
        pw_buf_init(&b);
        pw_report_opts o = {.tool_version = "fuzz", .baseline = d};
        FUZZ_ASSERT(pw_report_render(r, (pw_report_format)f, &o, &b, NULL) == PW_OK);
        pw_buf_free(&b);
    }
}

/* The streamed reader on the same bytes, read in runs of `run` bytes: the same outcome. */
static void same_streamed(const uint8_t *data, size_t size, pw_status whole, const pw_err *err,
                          const pw_baseline *b)
{
    if (!size)
        return;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return;
    pw_baseline *sb = NULL;
    pw_err serr;
    pw_err_clear(&serr);
    pw_status s = pw_baseline_parse_file_runs(f, 1 + size % 64, "fuzz.json", &sb, &serr);
    fclose(f);
    /* out of memory and depth limits are the whole parse's probe; both readers say PARSE alike */
    if (whole == PW_ERR_NOMEM || s == PW_ERR_NOMEM) {
        pw_baseline_free(sb);
        return;
    }
    FUZZ_ASSERT(s == whole);
    if (s != PW_OK) {
        FUZZ_ASSERT(sb == NULL && strcmp(serr.msg, err->msg) == 0);
        return;
    }
    FUZZ_ASSERT(pw_baseline_count(sb) == pw_baseline_count(b));
    for (size_t i = 0; i < pw_baseline_count(b); i++)
        FUZZ_ASSERT(strcmp(pw_baseline_at(sb, i)->fingerprint, pw_baseline_at(b, i)->fingerprint) ==
                    0);
    pw_baseline_free(sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_baseline *b = (pw_baseline *)1;
    pw_err err;
    pw_err_clear(&err);
    pw_json_probe probe = {0}; /* yajl's allocations stay within the reserve set aside */
    pw_status s = pw_baseline_parse_probe((const char *)data, size, "fuzz.json", &b, &err, &probe);
    FUZZ_ASSERT(!probe.overflow && probe.peak <= probe.reserve);
    same_streamed(data, size, s, &err, s == PW_OK ? b : NULL);
    if (s != PW_OK) {
        FUZZ_ASSERT(b == NULL);
        FUZZ_ASSERT(err.msg[0] != '\0' && strncmp(err.msg, "fuzz.json: ", 11) == 0);
        return 0;
    }
    size_t n = pw_baseline_count(b);
    for (size_t i = 0; i < n; i++) {
        const pw_baseline_finding *f = pw_baseline_at(b, i);
        FUZZ_ASSERT(f->fingerprint && f->rule_id);
        FUZZ_ASSERT((int)f->severity >= PW_SEV_INFO && f->severity < PW_SEV__COUNT);
    }
    pw_scan_result r = {.findings = scan,
                        .n_findings = 2,
                        .target = "https://h.org/",
                        .pages = pages,
                        .n_pages = 2,
                        .page_contexts = contexts,
                        .gaps = gaps,
                        .n_gaps = 3};
    pw_baseline_diff d;
    /* the absent findings read back whole (past 64 KiB a comparison leaves them in the records) */
    FUZZ_ASSERT(pw_baseline_compare_with(b, &r, &(pw_baseline_compare_opts){.absent_mem = SIZE_MAX},
                                         &d, NULL) == PW_OK);
    FUZZ_ASSERT(d.n_new + d.n_unchanged == r.n_findings);
    FUZZ_ASSERT(d.n_unchanged + d.n_gone + d.n_unchecked == n);
    for (size_t i = 0; i < d.n_gone; i++)
        FUZZ_ASSERT(looked_at(d.gone[i]));
    for (size_t i = 0; i < d.n_unchecked; i++)
        FUZZ_ASSERT(!looked_at(d.unchecked[i]) &&
                    d.unchecked_why[i] >= PW_UNCHECKED_PAGE_NOT_VISITED &&
                    d.unchecked_why[i] < PW_UNCHECKED__END);
    render_all(&r, &d);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    return 0;
}
