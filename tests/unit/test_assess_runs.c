/*
 * test_assess_runs.c — a long scan's findings out of memory (assess/findings.h): past a number
 * of findings held they go to a run on disk, and at finish the runs are merged page key by page
 * key into one file a severity. A scan of many findings grows the heap by its pages only, not by
 * its findings (the assessor held ~110 bytes a finding until 2026-12-01: a 100,000-page HAR's
 * 600,000 findings were 63 MiB); every report is byte-identical whatever was held, with pages
 * met again after their findings went to a run (their records folded when read back), a
 * tracker's account-less findings folded into its sole account's, and PW-NO-BAA dropped where
 * another rule reported the tracker.
 */
#include <stdlib.h>
#include <string.h>

#include "phiwall/assess.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "heap_test.h"

static pw_catalog *cat;
static pw_detector *det;

static pw_status add(pw_assessor *as, const char *url, const char *page, const char *type, double t,
                     pw_err *err)
{
    pw_header h[] = {{"Referer", page}, {"User-Agent", "test"}};
    pw_request r = {.method = "GET",
                    .url = url,
                    .headers = h,
                    .n_headers = 2,
                    .page_url = page,
                    .resource_type = type,
                    .timestamp = t,
                    .source = PW_SOURCE_HAR};
    return pw_assessor_add_request(as, &r, err);
}

/* Page p of round `round`: a condition page (its URL varies by a query each round: one page key,
 * several page URLs), Meta's script (no account: folded into the sole pixel ID's findings),
 * `accounts` pixel IDs' PageView with custom data, and a GA4 hit. */
static pw_status feed(pw_assessor *as, size_t p, size_t round, size_t accounts, pw_err *err)
{
    char page[160], url[1024];
    snprintf(page, sizeof page, "https://www.h.org/conditions/breast-cancer/p%zu?visit=%zu", p,
             round % 3);
    double t = 1.7e9 + (double)(round * 100000 + p);
    pw_page pg = {.url = page, .title = "Breast cancer treatment", .timestamp = t};
    pw_status st = pw_assessor_add_page(as, &pg, err);
    if (st == PW_OK)
        st = add(as, "https://connect.facebook.net/en_US/fbevents.js", page, "script", t, err);
    for (size_t a = 0; a < accounts && st == PW_OK; a++) {
        snprintf(url, sizeof url,
                 "https://www.facebook.com/tr/?id=%zu&ev=PageView&dl=%s&cd[condition]=breast%%20"
                 "cancer&cd[step]=%zu",
                 1234567890 + a, page, round);
        st = add(as, url, page, "image", t, err);
    }
    snprintf(url, sizeof url,
             "https://www.google-analytics.com/g/collect?v=2&tid=G-ABCDE12345&en=page_view&dl=%s",
             page);
    return st == PW_OK ? add(as, url, page, "ping", t, err) : st;
}

/* 3,000 pages of 20 pixel IDs each (~60 findings a page) past a 64 KiB budget (512 findings
 * held): the heap grows by the pages, not by the findings. */
static void findings_off_the_heap(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = 64u * 1024};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    size_t at500 = 0, pages = 3000;
    pw_status st = PW_OK;
    for (size_t i = 0; i < pages && st == PW_OK; i++) {
        st = feed(as, i, 0, 20, &err);
        if (i == 500)
            at500 = heap_in_use();
    }
    CHECK(st == PW_OK);
    size_t at_end = heap_in_use();
    const pw_scan_result *r = NULL;
    CHECK(pw_assessor_finish(as, &r, &err) == PW_OK);
    size_t after_finish = heap_in_use();
    size_t n = r ? r->n_findings : 0;
    size_t per_page = at_end > at500 ? (at_end - at500) / (pages - 501) : 0;
    fprintf(stderr, "heap growth: %zu bytes a page of %zu findings; %zu KiB after finish\n",
            per_page, n / pages, after_finish / 1024);
    CHECK(n >= 40 * pages);
    /* The assessor that held every finding: ~110 bytes each, ~6,000 bytes a page here; now the
     * page's own record (~300 bytes with its URL and index). */
    CHECK(per_page < 1000);
    /* the result's findings come back whole, in order, the severities agreeing */
    pw_arena a;
    pw_arena_init(&a, 0);
    int ordered = 1, whole = 1;
    pw_severity prev = PW_SEV_CRITICAL;
    for (size_t i = 0; r && i < n; i++) {
        pw_finding tmp;
        pw_arena_reset(&a);
        const pw_finding *f = pw_scan_result_finding(r, i, &tmp, &a, &err);
        whole &= f && f->tracker && f->page_url && f->legal && f->remediation &&
                 f->severity == pw_scan_result_severity(r, i);
        ordered &= f && f->severity <= prev;
        prev = f ? f->severity : prev;
    }
    CHECK(whole && ordered);
    pw_arena_free(&a);
    pw_assessor_free(as);
}

/* The four reports of a scan of `pages` pages seen `rounds` times (interleaved: page p of round
 * 2 comes long after its findings of round 1 went to a run) with this budget. */
static int render(size_t budget, size_t pages, size_t rounds, size_t accounts, pw_buf *out)
{
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = budget};
    int ok = pw_assessor_new(&o, &as, &err) == PW_OK &&
             pw_assessor_set_target(as, "t.har", PW_SOURCE_HAR, &err) == PW_OK;
    for (size_t round = 0; ok && round < rounds; round++)
        for (size_t p = 0; ok && p < pages; p++)
            ok = feed(as, (p * 7 + round) % pages, round, accounts, &err) == PW_OK;
    const pw_scan_result *r = NULL;
    ok = ok && pw_assessor_finish(as, &r, &err) == PW_OK;
    pw_report_opts ro = {.tool_version = "test"};
    for (int fmt = PW_REPORT_TEXT; ok && fmt <= PW_REPORT_HTML; fmt++)
        ok = pw_report_render(r, (pw_report_format)fmt, &ro, out, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "render: %s\n", err.msg);
    pw_assessor_free(as);
    return ok ? 0 : -1;
}

static void same_reports(size_t pages, size_t rounds, size_t accounts)
{
    pw_buf mem, runs;
    pw_buf_init(&mem);
    pw_buf_init(&runs);
    CHECK(render((size_t)1 << 40, pages, rounds, accounts, &mem) == 0);
    CHECK(render(1, pages, rounds, accounts, &runs) == 0); /* 16 findings held */
    CHECK(mem.len > 0 && mem.len == runs.len && memcmp(mem.data, runs.data, mem.len) == 0);
    if (mem.len != runs.len || (mem.len && memcmp(mem.data, runs.data, mem.len) != 0))
        fprintf(stderr, "%zu pages x %zu rounds, %zu accounts: reports differ (%zu, %zu bytes)\n",
                pages, rounds, accounts, mem.len, runs.len);
    pw_buf_free(&mem);
    pw_buf_free(&runs);
}

/* One pixel ID (its script's findings fold into its own) and two (they stay apart); pages met
 * three times, their URLs differing by a query (one finding, three page URLs). */
static void runs_identical(void)
{
    same_reports(60, 3, 1);
    same_reports(40, 3, 2);
    same_reports(200, 1, 1);
}

int main(void)
{
    pw_err err;
    pw_detector_opts dopts = {0};
    if (pw_catalog_load(NULL, &cat, &err) != PW_OK ||
        pw_detector_new(&dopts, &det, &err) != PW_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    static const pw_test_case cases[] = {PW_TEST(findings_off_the_heap), PW_TEST(runs_identical)};
    int rc = pw_test_run(cases, sizeof cases / sizeof cases[0]);
    pw_detector_free(det);
    pw_catalog_free(cat);
    return rc;
}
