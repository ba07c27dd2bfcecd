/* test_baseline_mem.c — a --baseline comparison's memory does not grow with the baseline
 * (DESIGN §5: a HAR scan under 64 MiB whatever the HAR). A 20,000-page scan compared with its
 * own JSON report held ~530 bytes a baseline finding (its strings, the array, each side's
 * fingerprint copied and a 40-byte sort entry): 60 MiB at 120,000 findings. The baseline now
 * keeps its findings as records, past 64 KiB in a temporary file, and the comparison 16 bytes a
 * baseline finding while it runs (each scan finding is paired as its fingerprint is made); what
 * stays with the diff is 2 bytes a scan finding (its state and earlier severity) and the absent
 * findings read back. Heap compared, not time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "pw_test.h"
#include "heap_test.h"
#include "report/report_internal.h"
#include "scan_findings.h"

/* The JSON report a scan of these findings wrote, as a comparison reads it (the members it
 * reads, each finding's fingerprint as the reports make it). */
static char *report_of(const pw_finding *f, size_t n, size_t *len)
{
    pw_buf b, fp;
    pw_buf_init(&b);
    pw_buf_init(&fp);
    pw_buf_puts(&b, "{\"tool\": {\"name\": \"phiwall\"}, \"target\": \"h.har\", \"findings\": [");
    for (size_t i = 0; i < n; i++) {
        pw_buf_clear(&fp);
        pw_report_fingerprint(&f[i], &fp);
        pw_buf_printf(&b,
                      "%s{\"fingerprint\": \"%s\", \"rule_id\": \"%s\", \"severity\": \"%s\", "
                      "\"vendor\": {\"id\": \"meta-pixel\", \"product\": \"Meta Pixel\"}, "
                      "\"account_id\": \"%s\", \"page\": {\"url\": \"%s\"}, \"context\": "
                      "\"condition\", \"occurrences\": %zu}",
                      i ? ", " : "", fp.data, f[i].rule_id, pw_severity_name(f[i].severity),
                      f[i].account_id, f[i].page_url, f[i].occurrences);
    }
    pw_buf_puts(&b, "]}");
    pw_buf_free(&fp);
    CHECK(!b.failed);
    return pw_buf_steal(&b, len);
}

/* Heap held by a baseline of n findings compared with a scan of the same n (every finding
 * unchanged), both alive, over what the scan itself holds. */
static size_t compare_heap(size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *f = scan_findings(&a, n);
    size_t len = 0;
    char *json = report_of(f, n, &len);
    FILE *file = tmpfile();
    CHECK(file && fwrite(json, 1, len, file) == len);
    free(json);
    rewind(file);
    pw_scan_result r = {.target = "h.har", .findings = f, .n_findings = n};
    size_t before = heap_in_use();
    pw_baseline *b = NULL;
    pw_err err;
    pw_err_clear(&err);
    CHECK(pw_baseline_parse_file(file, "old.json", &b, &err) == PW_OK);
    fclose(file);
    pw_baseline_diff d;
    CHECK(b && pw_baseline_compare(b, &r, &d, &err) == PW_OK);
    size_t after = heap_in_use();
    CHECK(d.n_unchanged == n && d.n_new == 0 && d.n_gone == 0 && d.n_unchecked == 0);
    pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    pw_arena_free(&a);
    return after > before ? after - before : 0;
}

static void bounded_per_finding(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    size_t h20 = compare_heap(20000), h60 = compare_heap(60000);
    size_t per = h60 > h20 ? (h60 - h20) / 40000 : 0;
    fprintf(stderr, "baseline heap: %zu bytes at 20,000 findings, %zu at 60,000: %zu a finding\n",
            h20, h60, per);
    /* Before: 360 bytes a finding here (the baseline's strings and array, the diff's arrays
     * sized for every baseline finding). Now the diff's state and earlier severity: 2. */
    CHECK(per <= 8);
}

PW_TEST_MAIN(PW_TEST(bounded_per_finding))
