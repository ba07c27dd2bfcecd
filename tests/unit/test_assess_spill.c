/*
 * test_assess_spill.c — the finding store past pw_assess_opts.memory_budget: findings' evidence,
 * requests, legal reasoning and fixes go to an unlinked temporary file and the reports read them
 * back. Every report format of every HAR under tests/data/har/ and the demo HAR is byte-identical
 * with everything spilled (budget 1) and nothing spilled; a many-page scan's heap grows by far
 * less per page than the evidence it saw (the old assessor kept each finding's evidence and
 * request copy: ~12 KiB a page here); a spill directory that cannot be created or written (a
 * full disk) is an I/O error naming the directory, never a crash or a finding lost.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "assess/inventory.h"
#include "assess/spill.h"
#include "gw_test_tmpfs.h"
#include "phiwall/assess.h"
#include "phiwall/har.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "heap_test.h"
#include "pw_test_finding.h"

static pw_catalog *cat;
static pw_detector *det;

static pw_status sink_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static pw_status sink_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

/* The four reports of one HAR, concatenated, with this budget; 0 on success. */
static int render_all(const char *path, size_t budget, pw_buf *out, int *spilled)
{
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = budget};
    int ok = pw_assessor_new(&o, &as, &err) == PW_OK;
    pw_capture_sink sink = {sink_page, sink_request, as, NULL};
    ok = ok && pw_assessor_set_target(as, "t.har", PW_SOURCE_HAR, &err) == PW_OK;
    ok = ok && pw_har_read_file(path, &sink, &err) == PW_OK;
    const pw_scan_result *r = NULL;
    ok = ok && pw_assessor_finish(as, &r, &err) == PW_OK;
    pw_report_opts ro = {.tool_version = "test"};
    for (int fmt = PW_REPORT_TEXT; ok && fmt <= PW_REPORT_HTML; fmt++)
        ok = pw_report_render(r, (pw_report_format)fmt, &ro, out, &err) == PW_OK;
    if (ok && spilled) {
        *spilled = r->spill != NULL;
        for (size_t i = 0; i < r->n_findings; i++) { /* nothing of it kept in memory */
            pw_finding tmp;
            const pw_finding *f = pw_scan_result_finding(r, i, &tmp, NULL, NULL);
            if (f->evidence || f->request || f->legal || f->remediation)
                *spilled = 0;
        }
    }
    if (!ok)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    pw_assessor_free(as);
    return ok ? 0 : -1;
}

static void same_reports(const char *path)
{
    pw_buf mem, disk;
    pw_buf_init(&mem);
    pw_buf_init(&disk);
    int spilled = 0;
    CHECK(render_all(path, (size_t)1 << 40, &mem, NULL) == 0);
    CHECK(render_all(path, 1, &disk, &spilled) == 0);
    CHECK(mem.len > 0 && mem.len == disk.len && memcmp(mem.data, disk.data, mem.len) == 0);
    if (mem.len != disk.len || (mem.len && memcmp(mem.data, disk.data, mem.len) != 0))
        fprintf(stderr, "%s: reports differ when spilled\n", path);
    CHECK(spilled || strstr(mem.data ? mem.data : "", "No tracker findings"));
    pw_buf_free(&mem);
    pw_buf_free(&disk);
}

static void identical_reports(void)
{
    DIR *d = opendir(PW_SRC_DIR "/tests/data/har");
    CHECK(d != NULL);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".har") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, PW_SRC_DIR "/tests/data/har/%s", e->d_name);
        same_reports(path);
        n++;
    }
    if (d)
        closedir(d);
    CHECK(n >= 20);
    same_reports(PW_SRC_DIR "/demo/demo.har");
}

/* An assessor's result for one HAR with this budget (NULL on failure; *as to free). */
static const pw_scan_result *scan_har(const char *path, size_t budget, pw_assessor **as)
{
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = budget};
    const pw_scan_result *r = NULL;
    int ok = pw_assessor_new(&o, as, &err) == PW_OK;
    pw_capture_sink sink = {sink_page, sink_request, ok ? *as : NULL, NULL};
    ok = ok && pw_har_read_file(path, &sink, &err) == PW_OK &&
         pw_assessor_finish(*as, &r, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    return ok ? r : NULL;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int severity_agrees(const pw_scan_result *r, size_t i, const pw_finding *f)
{
    return pw_scan_result_severity(r, i) == f->severity;
}

/* Every finding through pw_scan_result_finding, everything on disk (budget 1) and everything in
 * memory: the same members, evidence and request; a spilled finding's summary (no arena) carries
 * none of its details and needs no read. */
static void same_findings(const char *path)
{
    pw_assessor *mem_as = NULL, *disk_as = NULL;
    const pw_scan_result *m = scan_har(path, (size_t)1 << 40, &mem_as);
    const pw_scan_result *d = scan_har(path, 1, &disk_as);
    CHECK(m && d && m->n_findings == d->n_findings);
    CHECK(m && !m->spill && !m->findings && m->store);
    CHECK(d && (d->spill || !d->n_findings));
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t bad = 0;
    for (size_t i = 0; m && d && i < m->n_findings && i < d->n_findings; i++) {
        pw_finding tm, td, tb;
        pw_err err = {0};
        const pw_finding *x = pw_scan_result_finding(m, i, &tm, &a, &err);
        const pw_finding *y = pw_scan_result_finding(d, i, &td, &a, &err);
        const pw_finding *b = pw_scan_result_finding(d, i, &tb, NULL, NULL);
        CHECK(x && y && b);
        if (!x || !y || !b)
            break;
        CHECK(!b->evidence && !b->request && !b->legal && !b->remediation);
        int same = strcmp(x->rule_id, y->rule_id) == 0 && x->severity == y->severity &&
                   x->context == y->context && x->tracker == y->tracker &&
                   same_str(x->account_id, y->account_id) && same_str(x->company, y->company) &&
                   same_str(x->event_name, y->event_name) && same_str(x->page_url, y->page_url) &&
                   same_str(x->page_title, y->page_title) && x->step == y->step &&
                   x->before_consent == y->before_consent && x->after_reject == y->after_reject &&
                   x->occurrences == y->occurrences && x->page_variants == y->page_variants &&
                   x->n_page_urls == y->n_page_urls && x->baa_declared == y->baa_declared &&
                   same_str(x->legal, y->legal) && same_str(x->remediation, y->remediation) &&
                   x->n_evidence == y->n_evidence && !x->request == !y->request &&
                   (!x->request || same_str(x->request->url, y->request->url)) &&
                   severity_agrees(m, i, x) && severity_agrees(d, i, y);
        for (size_t k = 0; same && k < x->n_evidence; k++)
            same = same_str(x->evidence[k].key, y->evidence[k].key) &&
                   x->evidence[k].value_len == y->evidence[k].value_len &&
                   x->evidence[k].n_hits == y->evidence[k].n_hits;
        for (size_t k = 0; same && k < x->n_page_urls; k++)
            same = same_str(x->page_urls[k], y->page_urls[k]);
        if (!same && bad++ < 3)
            fprintf(stderr, "%s: finding %zu (%s) differs when spilled\n", path, i, x->rule_id);
        pw_arena_reset(&a);
    }
    CHECK(bad == 0);
    pw_arena_free(&a);
    pw_assessor_free(mem_as);
    pw_assessor_free(disk_as);
}

static void identical_findings(void)
{
    DIR *dir = opendir(PW_SRC_DIR "/tests/data/har");
    CHECK(dir != NULL);
    size_t n = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".har") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, PW_SRC_DIR "/tests/data/har/%s", e->d_name);
        same_findings(path);
        n++;
    }
    if (dir)
        closedir(dir);
    CHECK(n >= 20);
    same_findings(PW_SRC_DIR "/demo/demo.har");
}

/* Page i's Meta Pixel beacon: a condition page, a custom-data field of ~4 KiB and an 8 KiB
 * URL (the evidence and the request copy the old assessor kept for each finding). */
static pw_status feed_page(pw_assessor *as, size_t i, pw_err *err)
{
    static char big[8192];
    if (!big[0])
        for (size_t k = 0; k + 1 < sizeof big; k++)
            big[k] = (char)('a' + (k * 7 + k / 26) % 26);
    char page[128], url[16384];
    snprintf(page, sizeof page, "https://www.h.org/conditions/breast-cancer/p%zu", i);
    pw_page p = {.url = page, .title = "Breast cancer treatment"};
    pw_status st = pw_assessor_add_page(as, &p, err);
    snprintf(url, sizeof url,
             "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=%s&cd[notes]=%.4000s"
             "&cd[more]=%.4000s",
             page, big, big + 100);
    pw_header h[] = {{"Referer", page}, {"User-Agent", "test"}};
    pw_request r = {.method = "GET",
                    .url = url,
                    .headers = h,
                    .n_headers = 2,
                    .page_url = page,
                    .resource_type = "image",
                    .source = PW_SOURCE_HAR};
    return st == PW_OK ? pw_assessor_add_request(as, &r, err) : st;
}

/* 1500 pages past a 1 MiB budget: the heap grows by the findings' and pages' compact records
 * only. */
static void bounded_per_page(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's allocator keeps its own books: mallinfo2 says nothing */
#endif
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = 1u << 20};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    size_t at200 = 0, i = 0;
    pw_status st = PW_OK;
    for (; i < 1500 && st == PW_OK; i++) {
        st = feed_page(as, i, &err);
        if (i == 200)
            at200 = heap_in_use();
    }
    CHECK(st == PW_OK);
    size_t at_end = heap_in_use();
    const pw_scan_result *r = NULL;
    CHECK(pw_assessor_finish(as, &r, &err) == PW_OK);
    CHECK(r && r->n_findings >= 1500 && r->spill != NULL);
    size_t per_page = at_end > at200 ? (at_end - at200) / (1500 - 201) : 0;
    fprintf(stderr, "heap growth: %zu bytes a page (%zu findings)\n", per_page,
            r ? r->n_findings : 0);
    /* The assessor before spilling: ~12 KiB a page. Before compact records (192-byte findings,
     * 32-byte URL sets, 8-byte index slots, 120-byte page records and a copy of every page key):
     * 703 bytes a page here; with them, 432 (a 64-byte finding, an 88-byte page). */
    CHECK(per_page < 560);
    /* the details come back whole */
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding tmp;
    const pw_finding *f = r ? pw_scan_result_finding(r, 0, &tmp, &a, &err) : NULL;
    CHECK(f && f->request && strstr(f->request->url, "cd[notes]=") && f->n_evidence > 0 &&
          f->evidence && f->legal && f->remediation);
    pw_arena_free(&a);
    pw_assessor_free(as);
}

/* The spill file's directory: missing, then full. */
static void spill_errors(void)
{
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat,
                        .detector = det,
                        .memory_budget = 1,
                        .spill_dir = "/nonexistent/phiwall-spill"};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    pw_status st = PW_OK;
    for (size_t i = 0; i < 5 && st == PW_OK; i++)
        st = feed_page(as, i, &err);
    CHECK(st == PW_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/phiwall-spill") != NULL);
    fprintf(stderr, "missing dir: %s\n", err.msg);
    pw_assessor_free(as);
}

static gw_tmpfs small;
static int have_tmpfs;

static void spill_disk_full(void)
{
    if (!have_tmpfs) {
        fprintf(stderr, "spill_disk_full: no private tmpfs (not permitted here): skipped\n");
        return;
    }
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {
        .catalog = cat, .detector = det, .memory_budget = 1, .spill_dir = small.dir};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    pw_status st = PW_OK;
    size_t i = 0;
    for (; i < 2000 && st == PW_OK; i++) /* 256 KiB of disk: ~12 KiB a page */
        st = feed_page(as, i, &err);
    const pw_scan_result *r = NULL;
    if (st == PW_OK)
        st = pw_assessor_finish(as, &r, &err);
    CHECK(st == PW_ERR_IO);
    CHECK(strstr(err.msg, small.dir) != NULL && strstr(err.msg, "No space left on device"));
    fprintf(stderr, "full disk after %zu pages: %s\n", i, err.msg);
    pw_assessor_free(as);
}

/* A spill write refused by the file size limit (RLIMIT_FSIZE: what a full disk or a quota looks
 * like, and no private tmpfs needed) is an I/O error naming the directory and the cause, never a
 * finding lost. SIGXFSZ is ignored, as the CLI does, so that the write fails with EFBIG. */
static void spill_file_size_limit(void)
{
    struct rlimit saved, capped;
    CHECK(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    capped = saved;
    capped.rlim_cur = 256 * 1024;
    CHECK(setrlimit(RLIMIT_FSIZE, &capped) == 0);
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = 1};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    pw_status st = PW_OK;
    size_t i = 0;
    for (; i < 2000 && st == PW_OK; i++) /* ~12 KiB a page: past 256 KiB well before the end */
        st = feed_page(as, i, &err);
    const pw_scan_result *r = NULL;
    if (st == PW_OK)
        st = pw_assessor_finish(as, &r, &err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_sig);
    CHECK(st == PW_ERR_IO);
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    CHECK(strstr(err.msg, dir) != NULL && strstr(err.msg, "File too large") != NULL);
    CHECK(strstr(err.msg, "cannot write the findings' temporary file") != NULL);
    fprintf(stderr, "file size limit after %zu pages: %s\n", i, err.msg);
    pw_assessor_free(as);
}

/* The spill file holds no uninitialised bytes: a request, evidence and hits encode the same
 * whatever their structures' padding held (they were written as their raw bytes, padding and
 * all: valgrind's "write(buf) points to uninitialised bytes"), and read back equal. */
static void spill_no_padding(void)
{
    static const pw_header hdr = {"Referer", "https://h.org/x"};
    pw_buf enc[2];
    for (int k = 0; k < 2; k++) {
        pw_request req;
        pw_hit hit;
        pw_evidence ev;
        memset(&req, k ? 0x5a : 0xa5, sizeof req);
        memset(&hit, k ? 0x5a : 0xa5, sizeof hit);
        memset(&ev, k ? 0x5a : 0xa5, sizeof ev);
        req.method = "POST";
        req.url = "https://t.example/tr?id=1";
        req.headers = &hdr;
        req.n_headers = 1;
        req.body = (const unsigned char *)"a=b";
        req.body_len = 3;
        req.content_type = req.page_url = req.frame_url = req.resource_type = NULL;
        req.initiator = req.error = req.redirect_url = NULL;
        req.timestamp = 12.5;
        req.status = 200;
        req.step = (pw_step)0;
        req.source = PW_SOURCE_HAR;
        req.before_consent = 1;
        req.after_reject = 0;
        req.visit_retried = 0;
        hit.category = (pw_phi_category)0;
        hit.subtype = "email";
        hit.start = 0;
        hit.end = 3;
        hit.normalized = "a@b.c";
        hit.confidence = 0.5f;
        hit.reason = (pw_reason)0;
        hit.reason_detail = NULL;
        hit.sensitivity = (pw_sensitivity)0;
        ev.key = "em";
        ev.value = "abc";
        ev.value_len = 3;
        ev.kind = (pw_field_kind)0;
        ev.hits = &hit;
        ev.n_hits = 1;
        pw_buf_init(&enc[k]);
        pw_spill_enc_request(&enc[k], &req);
        pw_spill_enc_detail(&enc[k], "legal", &ev, 1, 7);
    }
    CHECK(enc[0].len == enc[1].len && memcmp(enc[0].data, enc[1].data, enc[0].len) == 0);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_buf one;
    pw_buf_init(&one);
    pw_spill_enc_request(&one, &(pw_request){.method = "GET",
                                             .url = "https://t/x",
                                             .status = 204,
                                             .timestamp = 3.25,
                                             .visit_retried = 1});
    const pw_request *q = pw_spill_dec_request(&a, (const unsigned char *)one.data, one.len);
    CHECK(q && q->status == 204 && q->timestamp == 3.25 && q->visit_retried == 1 &&
          strcmp(q->url, "https://t/x") == 0 && q->n_headers == 0 && !q->body);
    pw_buf_free(&one);
    pw_arena_free(&a);
    pw_buf_free(&enc[0]);
    pw_buf_free(&enc[1]);
}

/* The largest piece a report handed its sink, and the total. */
typedef struct chunks {
    size_t max, total;
} chunks;

static pw_status count_chunk(void *ctx, const char *p, size_t n)
{
    (void)p;
    chunks *c = ctx;
    c->max = n > c->max ? n : c->max;
    c->total += n;
    return PW_OK;
}

/* A report is written in pieces of about PW_BUF_SPILL_AT whatever the number of pages: the JSON
 * page list and the HTML pages table were held whole before reaching the file (a 40,000-page
 * scan: several MiB). The old renderers hand over the 6,000 pages' list (~0.7 MiB) at once. */
static void reports_in_pieces(void)
{
    pw_assessor *as = NULL;
    pw_err err = {0};
    pw_assess_opts o = {.catalog = cat, .detector = det, .memory_budget = 1u << 20};
    CHECK(pw_assessor_new(&o, &as, &err) == PW_OK);
    pw_status st = PW_OK;
    for (size_t i = 0; i < 6000 && st == PW_OK; i++) {
        char page[160];
        snprintf(page, sizeof page, "https://www.h.org/about/our-history/and-our-people/%zu", i);
        pw_page p = {.url = page, .title = "About us"};
        st = pw_assessor_add_page(as, &p, &err);
    }
    st = st == PW_OK ? feed_page(as, 0, &err) : st; /* one finding: the pages dominate */
    const pw_scan_result *r = NULL;
    CHECK(st == PW_OK && pw_assessor_finish(as, &r, &err) == PW_OK);
    for (int fmt = PW_REPORT_JSON; r && fmt <= PW_REPORT_HTML; fmt++) {
        if (fmt == PW_REPORT_SARIF)
            continue; /* lists no pages */
        chunks c = {0};
        pw_buf out;
        pw_buf_init(&out);
        out.sink = count_chunk;
        out.sink_ctx = &c;
        pw_report_opts ro = {.tool_version = "test"};
        CHECK(pw_report_render(r, (pw_report_format)fmt, &ro, &out, &err) == PW_OK);
        c.total += out.len; /* the rest: the caller writes it */
        c.max = out.len > c.max ? out.len : c.max;
        fprintf(stderr, "format %d: %zu bytes, largest piece held %zu\n", fmt, c.total, c.max);
        CHECK(c.total > 600000 && c.max < PW_BUF_SPILL_AT + 64 * 1024);
        pw_buf_free(&out);
    }
    pw_assessor_free(as);
}

/* A tracker's inventory row past its 64 remembered pages counts page changes: it kept a copy of
 * the page URL at each change, so its arena grew by a URL per page and tracker (a 20,000-page
 * HAR: ~11 MiB). The row now points to the assessor's page URL; its count is unchanged. */
static void inventory_page_changes(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_inventory *inv = pw_inventory_new(&a);
    CHECK(inv != NULL);
    const pw_tracker *t = pw_catalog_find(cat, "meta-pixel");
    CHECK(t != NULL);
    static char urls[4000][160];
    for (size_t i = 0; i < 4000; i++)
        snprintf(urls[i], sizeof urls[i],
                 "https://www.h.org/conditions/breast-cancer/treatment-options/%zu/"
                 "with-a-long-path-as-real-sites-have/and-more-of-it",
                 i);
    pw_request req = {.url = "https://www.facebook.com/tr/?id=1234567890&ev=PageView"};
    pw_beacon b = {.tracker = t, .account_id = "1234567890", .request = &req};
    pw_err err = {0};
    size_t after_64 = 0;
    for (size_t i = 0; t && inv && i < 4000; i++) {
        CHECK(pw_inventory_add(inv, &b, NULL, urls[i], &err) == PW_OK);
        CHECK(pw_inventory_add(inv, &b, NULL, urls[i], &err) == PW_OK); /* same page: once */
        if (i == 100)
            after_64 = a.total;
    }
    size_t n = 0;
    const pw_tracker_use *u = inv ? pw_inventory_result(inv, &n) : NULL;
    CHECK(n == 1 && u && u[0].n_pages == 4000 && u[0].n_requests == 8000);
    fprintf(stderr, "inventory arena: %zu bytes after 100 pages, %zu after 4000\n", after_64,
            a.total);
    CHECK(a.total == after_64); /* the old inventory: +~600 KiB */
    pw_inventory_free(inv);
    pw_arena_free(&a);
}

int main(void)
{
    have_tmpfs = gw_tmpfs_mount(&small, 256); /* before any thread: unshare refuses otherwise */
    pw_err err;
    pw_detector_opts dopts = {0};
    if (pw_catalog_load(NULL, &cat, &err) != PW_OK ||
        pw_detector_new(&dopts, &det, &err) != PW_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    static const pw_test_case cases[] = {
        PW_TEST(identical_reports),      PW_TEST(bounded_per_page),
        PW_TEST(spill_errors),           PW_TEST(spill_disk_full),
        PW_TEST(inventory_page_changes), PW_TEST(reports_in_pieces),
        PW_TEST(spill_file_size_limit),  PW_TEST(spill_no_padding),
        PW_TEST(identical_findings)};
    int rc = pw_test_run(cases, sizeof cases / sizeof cases[0]);
    gw_tmpfs_unmount(&small);
    pw_detector_free(det);
    pw_catalog_free(cat);
    return rc;
}
