/* test_baseline_pages.c — a --baseline comparison holds little a page of the scan (DESIGN §5: a
 * HAR scan under 64 MiB whatever the HAR). Telling a finding gone from one not rechecked asks
 * whether the scan visited its page: every scan page's key was copied and sorted (a pointer and
 * a malloc'd key, ~56 bytes a page); now a page is its key's hash and its number (16 bytes), its
 * key made again from its URL where a hash matches.
 *
 * The peak is read as the heap's size (as test_baseline_peak): glibc is told never to use mmap
 * for a block nor to give the heap's top back, so the heap only grows, to what was in use at the
 * peak. Compared between two scans of 40,000 and 160,000 pages, it gives the bytes a page. */
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

#define BASELINE 100 /* findings, on pages c0 … c99 */
#define VISITED  50  /* of their pages the scan visited (with another query: the same key) */

/* The heap's growth over a comparison of BASELINE findings, none in the scan, with a scan of
 * n_pages pages (VISITED of them the baseline's), the diff alive. */
static size_t compare_peak(size_t n_pages)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *f = scan_findings(&a, BASELINE);
    FILE *file = report_file(f, BASELINE);
    pw_page *pages = pw_arena_calloc(&a, n_pages, sizeof *pages);
    CHECK(f && pages);
    for (size_t p = 0; pages && p < n_pages; p++)
        pages[p].url =
            p < VISITED
                ? pw_arena_sprintf(&a, "https://h.org/conditions/c%zu?ref=%zu", p, p)
                : pw_arena_sprintf(&a, "https://www.hospital.org/conditions/c%06zu/overview", p);
    pw_scan_result r = {.target = "h.har", .pages = pages, .n_pages = n_pages};
    pw_baseline *b;
    pw_baseline_diff d;
    size_t grown;
    pw_status st = compare_grown(file, &r, &b, &d, &grown);
    /* the pages visited: their findings gone; the others not rechecked (page not visited) */
    CHECK(st != PW_OK || (d.n_gone == VISITED && d.n_unchecked == BASELINE - VISITED));
    for (size_t i = 0; st == PW_OK && i < d.n_unchecked; i++)
        CHECK(d.unchecked_why[i] == PW_UNCHECKED_PAGE_NOT_VISITED);
    if (st == PW_OK)
        pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    pw_arena_free(&a);
    return grown;
}

static void little_per_scan_page(void)
{
#ifdef PW_TEST_ASAN
    (void)compare_peak(1000); /* the outcome only: ASan's allocator keeps its own books */
    return;
#endif
    CHECK(mallopt(M_MMAP_MAX, 0) == 1);
    CHECK(mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 1);
    size_t p1 = compare_peak(40000), p2 = compare_peak(160000);
    size_t per = p2 > p1 ? (p2 - p1) / 120000 : 0;
    fprintf(stderr,
            "comparison's peak heap: %zu bytes at 40,000 scan pages, %zu at 160,000: %zu a "
            "page\n",
            p1, p2, per);
    CHECK(p2 > p1);
    /* Before: 78 measured (a pointer and a 45-byte key with malloc's, qsort's copy of the
     * pointers). Now 16: a hash and a number, sorted in place. */
    CHECK(per <= 24);
}

PW_TEST_MAIN(PW_TEST(little_per_scan_page))
