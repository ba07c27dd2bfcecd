/* test_report_html_mem.c — what the HTML report holds while it renders grows with the pages'
 * keys, not ~37 bytes a finding (DESIGN §5: a HAR scan under 64 MiB whatever the HAR). Its index
 * of page keys was sized for the number of findings (two 8-byte slots a finding: 16 MiB of the
 * 100,000-page benchmark's 600,000 findings, for ~100,000 keys) and its findings' arrays held 8
 * bytes each. The heap is read each time the report hands its bytes on (a sink): its peak over
 * the render, less what the result itself holds, divided by the findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/assess.h"
#include "phiwall/buf.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "heap_test.h"

#define FINDINGS 200000
#define PAGES    200

static const pw_tracker meta = {.id = "meta-pixel",
                                .vendor = "Meta",
                                .product = "Meta Pixel",
                                .category = PW_CATEGORY_ADVERTISING,
                                .baa = PW_BAA_NO,
                                .decoder = "meta"};

typedef struct peak {
    size_t max, bytes;
} peak;

static pw_status sink(void *ctx, const char *p, size_t n)
{
    (void)p;
    peak *pk = ctx;
    size_t h = heap_in_use();
    if (h > pk->max)
        pk->max = h;
    pk->bytes += n;
    return PW_OK;
}

/* A PW-TRACKER-PRESENT finding of the Meta Pixel on a general page, as the assessor makes one. */
static pw_finding general_finding(const char *account, const pw_page *page)
{
    return (pw_finding){.rule_id = "PW-TRACKER-PRESENT",
                        .title = "Tracker on a general page",
                        .severity = PW_SEV_INFO,
                        .context = PW_CTX_GENERAL,
                        .legal = "Inventory, not a PHI finding.",
                        .remediation = "No action needed.",
                        .tracker = &meta,
                        .account_id = account,
                        .page_url = page->url,
                        .occurrences = 1,
                        .page_variants = 1,
                        .page_urls = &page->url,
                        .n_page_urls = 1};
}

/* Renders r's HTML report into a sink that reads the heap at each hand-on; returns the heap's
 * peak over the render less what was in use before it (0: failed). */
static size_t result_peak(const pw_scan_result *r)
{
    peak pk = {0};
    pw_buf out;
    pw_buf_init(&out);
    out.sink = sink;
    out.sink_ctx = &pk;
    pw_err err = {0};
    size_t before = heap_in_use();
    pk.max = before;
    pw_status st = pw_report_render(r, PW_REPORT_HTML, &(pw_report_opts){0}, &out, &err);
    if (st == PW_OK)
        st = pw_buf_spill(&out, 0);
    if (st != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(st == PW_OK);
    CHECK(pk.bytes > 0);
    pw_buf_free(&out);
    return st == PW_OK && pk.max > before ? pk.max - before : 0;
}

/* result_peak of these pages and findings. */
static size_t render_peak(pw_page *pages, pw_hhs_context *ctx, size_t n_pages, pw_finding *f,
                          size_t n_f)
{
    pw_scan_result r = {.findings = f,
                        .n_findings = n_f,
                        .pages = pages,
                        .n_pages = n_pages,
                        .page_contexts = ctx,
                        .target = "hand-built",
                        .source = PW_SOURCE_HAR};
    return result_peak(&r);
}

static void html_holds_little_per_finding(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    static char urls[PAGES][64];
    pw_page *pages = calloc(PAGES, sizeof *pages);
    pw_hhs_context *ctx = calloc(PAGES, sizeof *ctx);
    pw_finding *f = calloc(FINDINGS, sizeof *f);
    char(*acct)[24] = calloc(FINDINGS, sizeof *acct);
    CHECK(pages && ctx && f && acct);
    for (size_t p = 0; p < PAGES; p++) {
        snprintf(urls[p], sizeof urls[p], "https://www.hospital.org/general/p%zu", p);
        pages[p] = (pw_page){.url = urls[p]};
        ctx[p] = PW_CTX_GENERAL;
    }
    /* sorted as the assessor sorts them: severity, then page key (all info: no page articles) */
    for (size_t i = 0; i < FINDINGS; i++) {
        size_t p = i * PAGES / FINDINGS;
        snprintf(acct[i], sizeof acct[i], "%zu", 100000 + i % (FINDINGS / PAGES));
        f[i] = general_finding(acct[i], &pages[p]);
    }
    size_t per = render_peak(pages, ctx, PAGES, f, FINDINGS) / FINDINGS;
    fprintf(stderr, "HTML report's heap over the render: %zu bytes a finding\n", per);
    /* ~8 (a 4-byte key number and a 4-byte place a finding, the output buffer); 37 before */
    CHECK(per < 20);
    free(acct);
    free(f);
    free(ctx);
    free(pages);
}

/* The pages table keeps each page's URL with its query's values masked: a copy of its length,
 * not the capacity of the buffer it was made in (~256 bytes a page: 12.8 MiB of the 50,000-page
 * benchmark's HTML report). 50,000 pages of one finding each; the heap's peak over the render,
 * less the result, divided by the pages. */
#define MANY_PAGES 50000

static void html_pages_table_holds_little(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    char(*urls)[48] = calloc(MANY_PAGES, sizeof *urls);
    pw_page *pages = calloc(MANY_PAGES, sizeof *pages);
    pw_hhs_context *ctx = calloc(MANY_PAGES, sizeof *ctx);
    pw_finding *f = calloc(MANY_PAGES, sizeof *f);
    CHECK(urls && pages && ctx && f);
    for (size_t p = 0; p < MANY_PAGES; p++) {
        snprintf(urls[p], sizeof urls[p], "https://www.hospital.org/g/p%06zu", p);
        pages[p] = (pw_page){.url = urls[p]};
        f[p] = general_finding("1", &pages[p]);
    }
    size_t per = render_peak(pages, ctx, MANY_PAGES, f, MANY_PAGES) / MANY_PAGES;
    fprintf(stderr, "HTML report's heap over the render: %zu bytes a page\n", per);
    /* its key's URL, slots and counts, its row: 69 (~150 with a key and a masked URL kept a
     * page; ~400 with each masked URL in its buffer) */
    CHECK(per < 250);
    free(f);
    free(ctx);
    free(pages);
    free(urls);
}

/* What the HTML report holds a page of a real scan: every page with its own key, a title, a reason
 * and findings above info (so each key has an article and a row). Its key was a copy of the
 * page key (~56 bytes with malloc's), each page's masked URL and title were kept over the pages
 * table (~80 bytes), a row number and a row hash a page; now the key is the URL its first finding
 * names (the result's own string), the masks are made again where a row is written, and the
 * rows keep their first page, count and hash. 50,000 pages; the heap's peak over the render,
 * less the result, divided by the pages. */
#define REAL_PAGES 50000

static void html_holds_little_per_page(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    char(*urls)[64] = calloc(REAL_PAGES, sizeof *urls);
    char(*titles)[64] = calloc(REAL_PAGES, sizeof *titles);
    pw_page *pages = calloc(REAL_PAGES, sizeof *pages);
    pw_hhs_context *ctx = calloc(REAL_PAGES, sizeof *ctx);
    const char **why = calloc(REAL_PAGES, sizeof *why);
    pw_finding *f = calloc(2 * REAL_PAGES, sizeof *f);
    CHECK(urls && titles && pages && ctx && why && f);
    for (size_t p = 0; p < REAL_PAGES; p++) {
        snprintf(urls[p], sizeof urls[p], "https://www.hospital.org/conditions/c%06zu/", p);
        snprintf(titles[p], sizeof titles[p], "Condition %zu | Hospital", p);
        pages[p] = (pw_page){.url = urls[p], .title = titles[p]};
        ctx[p] = PW_CTX_CONDITION;
        why[p] = "a condition page";
    }
    /* sorted as the assessor sorts them: severity (medium before info), then page key */
    for (size_t p = 0; p < REAL_PAGES; p++) {
        f[p] = general_finding("1", &pages[p]);
        f[p].rule_id = "PW-CONDITION-PAGE";
        f[p].severity = PW_SEV_MEDIUM;
        f[p].context = PW_CTX_CONDITION;
        f[REAL_PAGES + p] = general_finding("1", &pages[p]);
    }
    pw_scan_result r = {.findings = f,
                        .n_findings = 2 * REAL_PAGES,
                        .pages = pages,
                        .n_pages = REAL_PAGES,
                        .page_contexts = ctx,
                        .page_reasons = why,
                        .target = "hand-built",
                        .source = PW_SOURCE_HAR};
    size_t grown = result_peak(&r);
    /* less the findings' own arrays (~8 bytes a finding: a key number and a place) */
    size_t per = grown > 16 * REAL_PAGES ? (grown - 16 * REAL_PAGES) / REAL_PAGES : 0;
    fprintf(stderr, "HTML report's heap over the render: %zu bytes a page\n", per);
    CHECK(per > 0);
    /* measured 53 (a key's URL, slot, count, badge and article's page, a row); 222 before */
    CHECK(per < 90);
    free(f);
    free(why);
    free(ctx);
    free(pages);
    free(titles);
    free(urls);
}

PW_TEST_MAIN(PW_TEST(html_holds_little_per_finding), PW_TEST(html_pages_table_holds_little),
             PW_TEST(html_holds_little_per_page))
