/*
 * scan_findings.h — n synthetic findings on n pages, as a scan's result gives them, for the
 * baseline comparison's memory tests (test_baseline_mem, test_baseline_peak, test_baseline_pages),
 * their JSON report as a comparison reads it, and the heap's size.
 */
#ifndef PW_TESTS_SCAN_FINDINGS_H
#define PW_TESTS_SCAN_FINDINGS_H

#include <malloc.h>
#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/assess.h"
#include "phiwall/baseline.h"
#include "pw_test.h"
#include "report/report_internal.h"

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

/* The JSON report of these findings as a comparison reads it, written to a file a finding at a
 * time (no text of the whole in the heap to leave a hole in it). */
static inline FILE *report_file(const pw_finding *f, size_t n)
{
    FILE *file = tmpfile();
    CHECK(file != NULL);
    if (!file)
        return NULL;
    pw_buf fp;
    pw_buf_init(&fp);
    fputs("{\"tool\": {\"name\": \"phiwall\"}, \"target\": \"h.har\", \"findings\": [", file);
    for (size_t i = 0; i < n; i++) {
        pw_buf_clear(&fp);
        pw_report_fingerprint(&f[i], &fp);
        fprintf(file,
                "%s{\"fingerprint\": \"%s\", \"rule_id\": \"%s\", \"severity\": \"%s\", "
                "\"account_id\": \"%s\", \"page\": {\"url\": \"%s\"}, \"occurrences\": %zu}",
                i ? ", " : "", fp.data, f[i].rule_id, pw_severity_name(f[i].severity),
                f[i].account_id, f[i].page_url, f[i].occurrences);
    }
    fputs("]}", file);
    pw_buf_free(&fp);
    rewind(file);
    return file;
}

/* The heap's size (mallinfo2's arena): with mmap and trimming off, it only grows, to the peak. */
static inline size_t heap_size(void)
{
    return mallinfo2().arena;
}

/* The baseline read from file (closed here), then compared with r, the heap's growth over the
 * comparison alone in *grown; *b and *d for the caller to check and free (d only on PW_OK). */
static inline pw_status compare_grown(FILE *file, const pw_scan_result *r, pw_baseline **b,
                                      pw_baseline_diff *d, size_t *grown)
{
    pw_err err;
    pw_err_clear(&err);
    *b = NULL;
    *grown = 0;
    CHECK(file && pw_baseline_parse_file(file, "old.json", b, &err) == PW_OK);
    if (file)
        fclose(file);
    size_t before = heap_size();
    pw_status st = *b ? pw_baseline_compare(*b, r, d, &err) : PW_ERR_INVALID;
    if (st != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(st == PW_OK);
    size_t after = heap_size();
    *grown = after > before ? after - before : 0;
    return st;
}

#endif
