/*
 * scan_findings.h — n synthetic findings on n pages, as a scan's result gives them, for the
 * baseline comparison's memory tests (test_baseline_mem, test_baseline_peak).
 */
#ifndef PW_TESTS_SCAN_FINDINGS_H
#define PW_TESTS_SCAN_FINDINGS_H

#include "phiwall/arena.h"
#include "phiwall/assess.h"

/* n findings on n pages, as a scan's result gives them (pages and accounts in the arena). */
static inline pw_finding *scan_findings(pw_arena *a, size_t n)
{
    pw_finding *f = pw_arena_calloc(a, n, sizeof *f);
    for (size_t i = 0; f && i < n; i++)
        f[i] = (pw_finding){
            .rule_id = i % 3 ? "PW-CONDITION-URL" : "PW-TRACKER-PRESENT",
            .severity = i % 3 ? PW_SEV_MEDIUM : PW_SEV_INFO,
            .account_id = pw_arena_sprintf(a, "%zu", 1000 + i % 7),
            .page_url = pw_arena_sprintf(a, "https://h.org/conditions/c%zu?utm=%zu", i, i % 5),
            .occurrences = 1 + i % 4,
            .page_variants = 1,
            .title = "t",
            .legal = "l",
            .remediation = "r",
        };
    return f;
}

#endif
