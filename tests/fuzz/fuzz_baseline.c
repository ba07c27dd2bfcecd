/* fuzz_baseline.c — pw_baseline_parse on any bytes (an earlier JSON report given to
 * `scan --baseline`): no crash, an error always says something and leaves no baseline; a
 * baseline that parses holds findings with a fingerprint, a rule and a known severity, and a
 * comparison with a small scan accounts for every finding once on each side (new + unchanged =
 * the scan's findings, unchanged + gone = the baseline's) and renders in every format. */
#include "pw_fuzz.h"
#include <string.h>

#include "phiwall/baseline.h"
#include "phiwall/report.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_baseline *b = (pw_baseline *)1;
    pw_err err;
    pw_err_clear(&err);
    pw_status s = pw_baseline_parse((const char *)data, size, "fuzz.json", &b, &err);
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
    pw_scan_result r = {.findings = scan, .n_findings = 2, .target = "https://h.org/"};
    pw_baseline_diff d;
    FUZZ_ASSERT(pw_baseline_compare(b, &r, &d, NULL) == PW_OK);
    FUZZ_ASSERT(d.n_new + d.n_unchanged == r.n_findings);
    FUZZ_ASSERT(d.n_unchanged + d.n_gone == n);
    render_all(&r, &d);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    return 0;
}
