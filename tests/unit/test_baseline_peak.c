/* test_baseline_peak.c — a --baseline comparison's peak memory does not grow with the baseline
 * (DESIGN §5: a HAR scan under 64 MiB whatever the HAR). The comparison keyed every baseline
 * finding in memory at once (16 bytes, and 4 more for the list of absent ones): 600,000 findings
 * of the 100,000-page benchmark took json --baseline from 61 to 70 MiB. Past 16,384 findings the
 * keys now go to buckets in a temporary file, compared one at a time. What stays is the diff's 2
 * bytes a scan finding (its state and earlier severity).
 *
 * The peak is read as the heap's size: glibc is told never to use mmap for a block nor to give
 * the heap's top back, so the heap (mallinfo2's arena) only grows, to what was in use at the
 * peak. Compared between two sizes, it gives the bytes a finding. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "pw_test.h"
#include "report/report_internal.h"
#include "scan_findings.h"

/* The heap's growth over a comparison of n baseline findings with a scan of the same n (every
 * finding unchanged), the diff alive. */
static size_t compare_peak(size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *f = scan_findings(&a, n);
    FILE *file = report_file(f, n);
    pw_scan_result r = {.target = "h.har", .findings = f, .n_findings = n};
    pw_baseline *b;
    pw_baseline_diff d;
    size_t grown;
    pw_status st = compare_grown(file, &r, &b, &d, &grown);
    CHECK(st != PW_OK || (d.n_unchanged == n && d.n_new == 0 && d.n_gone == 0));
    if (st == PW_OK)
        pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    pw_arena_free(&a);
    return grown;
}

static void peak_bounded_per_finding(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    CHECK(mallopt(M_MMAP_MAX, 0) == 1);
    CHECK(mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 1);
    size_t p1 = compare_peak(40000), p2 = compare_peak(160000);
    size_t per = p2 > p1 ? (p2 - p1) / 120000 : 0;
    fprintf(stderr,
            "comparison's peak heap: %zu bytes at 40,000 findings, %zu at 160,000: %zu a "
            "finding\n",
            p1, p2, per);
    /* Before: 22 (16 keyed, 4 listed absent, 2 the diff's). Now the diff's 2 and the buckets'
     * blocks (a quarter of a byte). */
    CHECK(per <= 6);
}

PW_TEST_MAIN(PW_TEST(peak_bounded_per_finding))
