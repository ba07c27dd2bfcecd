/* test_baseline_absent.c — the findings of a baseline that a scan did not report ("gone", "not
 * rechecked") are read back one at a time where each report writes them (DESIGN §5: a HAR scan
 * under 64 MiB whatever the HAR). They were decoded into the comparison's memory all at once
 * (`pw_baseline_diff.gone` with their strings): `scan --har demo.har --baseline` a 20,000-page
 * report (120,000 findings, all absent) peaked at 136 MiB in json. Now a comparison keeps 8 bytes
 * a finding (where its record is) and 4 for a reason, and every report is byte for byte what the
 * in-memory lists gave, whichever key the page hash has; a temporary file that cannot be read
 * fails the render naming its directory.
 *
 * The peak is read as the heap's size (as test_baseline_peak): glibc is told never to use mmap
 * for a block nor to give the heap's top back, so the heap only grows, to what was in use at the
 * peak. Compared between two baselines of 20,000 and 80,000 absent findings, it gives the bytes
 * an absent finding. */
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "report/report_internal.h"
#include "scan_findings.h"

static const pw_report_format formats[] = {PW_REPORT_TEXT, PW_REPORT_JSON, PW_REPORT_SARIF,
                                           PW_REPORT_HTML};

static pw_status discard(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    (void)p;
    (void)n;
    return PW_OK;
}

/* ---- bytes held per absent finding ---- */

#define VISITED 100 /* pages of the baseline the scan visited: their findings gone */

/* The heap's growth over a comparison of a baseline of n findings with a scan of none (VISITED
 * of their pages visited, the others not) and the four reports of it, written to a sink. */
static size_t absent_peak(size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *f = scan_findings(&a, n);
    FILE *file = report_file(f, n);
    pw_page *pages = pw_arena_calloc(&a, VISITED, sizeof *pages);
    pw_hhs_context *ctx = pw_arena_calloc(&a, VISITED, sizeof *ctx);
    CHECK(f && pages && ctx);
    for (size_t p = 0; pages && p < VISITED; p++)
        pages[p].url = pw_arena_sprintf(&a, "https://h.org/conditions/c%zu", p);
    pw_scan_result r = {
        .target = "h.har", .pages = pages, .n_pages = VISITED, .page_contexts = ctx};
    pw_baseline *b;
    pw_baseline_diff d;
    size_t grown;
    pw_status st = compare_grown(file, &r, &b, &d, &grown);
    CHECK(st != PW_OK || (d.n_gone == VISITED && d.n_unchecked == n - VISITED));
    size_t before = heap_size() - grown;
    for (size_t i = 0; st == PW_OK && i < sizeof formats / sizeof *formats; i++) {
        pw_buf out;
        pw_buf_init(&out);
        out.sink = discard;
        pw_err err;
        pw_err_clear(&err);
        pw_status rs =
            pw_report_render(&r, formats[i], &(pw_report_opts){.baseline = &d}, &out, &err);
        if (rs == PW_OK)
            rs = pw_buf_spill(&out, 0);
        if (rs != PW_OK)
            fprintf(stderr, "%s\n", err.msg);
        CHECK(rs == PW_OK);
        pw_buf_free(&out);
    }
    grown = heap_size() - before;
    if (st == PW_OK)
        pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    pw_arena_free(&a);
    return grown;
}

static void little_per_absent_finding(void)
{
#ifdef PW_TEST_ASAN
    (void)absent_peak(2000); /* the outcome only: ASan's allocator keeps its own books */
    return;
#endif
    CHECK(mallopt(M_MMAP_MAX, 0) == 1);
    CHECK(mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 1);
    size_t p1 = absent_peak(20000), p2 = absent_peak(80000);
    size_t per = p2 > p1 ? (p2 - p1) / 60000 : 0;
    fprintf(stderr,
            "comparison and reports' peak heap: %zu bytes at 20,000 absent findings, %zu at "
            "80,000: %zu a finding\n",
            p1, p2, per);
    CHECK(p2 > p1);
    /* Before: 839 measured (each decoded with its strings, its struct and two pointers, and the
     * JSON and HTML lists held whole as written, never handed on). Now 26: where each record is
     * (8 bytes), its reason (4), and the comparison's sorting of them. */
    CHECK(per <= 40);
}

/* ---- the same reports either way ---- */

static const pw_tracker meta = {.id = "meta-pixel", .vendor = "Meta", .product = "Meta Pixel"};
static const pw_tracker ga = {.id = "google-analytics", .vendor = "Google", .product = "GA4"};

/* n findings of every severity, on pages of two hosts (or one), some without a tracker, an
 * account or a page: what the absent tables print in every case. */
static pw_finding *mixed_findings(pw_arena *a, size_t n, int one_host)
{
    static const char *const rules[] = {"PW-FORM-VALUES", "PW-CONDITION-URL", "PW-SEARCH-TERM",
                                        "PW-TRACKER-PRESENT"};
    pw_finding *f = pw_arena_calloc(a, n, sizeof *f);
    for (size_t i = 0; f && i < n; i++) {
        const char *host = one_host || i % 4 ? "h.org" : "portal.h.org:8443";
        f[i] = (pw_finding){
            .rule_id = rules[i % 4],
            .severity = (pw_severity)(i * 7 % PW_SEV__COUNT),
            .tracker = i % 3 == 0   ? NULL
                       : i % 3 == 1 ? &meta
                                    : &ga,
            .account_id = i % 5 == 0 ? NULL : pw_arena_sprintf(a, "%zu", 100 + i % 9),
            .page_url = i % 11 == 0
                            ? NULL
                            : pw_arena_sprintf(a, "https://%s/p/%zu?q=x&n=<%zu>", host, i % 37, i),
            .occurrences = 1 + i % 6,
            .page_variants = 1,
            .title = "t",
            .legal = "l",
            .remediation = "r",
        };
    }
    return f;
}

static char *render(const pw_scan_result *r, pw_report_format fmt, const pw_baseline_diff *d,
                    size_t *len)
{
    pw_buf out;
    pw_buf_init(&out);
    pw_err err;
    pw_err_clear(&err);
    pw_status st =
        pw_report_render(r, fmt, &(pw_report_opts){.tool_version = "t", .baseline = d}, &out, &err);
    if (st != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(st == PW_OK);
    return pw_buf_steal(&out, len);
}

/* b compared with r each way — lists in memory (as before) with the fixed key, and read one at
 * a time with other keys — gives the same counts and every format the same bytes. */
static void same_reports(const pw_baseline *b, const pw_scan_result *r, const char *what)
{
    static const unsigned char k1[16] = {1, 2, 3}, k2[16] = {0xff, 0, 0x80, 7, 9};
    const pw_baseline_compare_opts ways[] = {
        {.absent_mem = SIZE_MAX},     /* the old path: every absent finding decoded */
        {.absent_mem = 1, .key = k1}, /* one at a time */
        {.absent_mem = 1, .key = k2, .max_keys = 1}, /* and the keys in buckets */
        {.key = k2},                                 /* the default */
    };
    pw_baseline_diff d[4];
    int ok = 1;
    for (size_t w = 0; w < 4; w++) {
        pw_err err;
        pw_err_clear(&err);
        pw_status st = pw_baseline_compare_with(b, r, &ways[w], &d[w], &err);
        if (st != PW_OK)
            fprintf(stderr, "%s: %s\n", what, err.msg);
        CHECK(st == PW_OK);
        ok &= st == PW_OK;
    }
    if (!ok)
        return;
    CHECK(d[0].gone != NULL && d[0].absent_at == NULL);
    CHECK(d[1].gone == NULL || d[1].n_gone + d[1].n_unchecked == 0);
    for (size_t w = 1; w < 4; w++) {
        CHECK_INT(d[w].n_gone, d[0].n_gone);
        CHECK_INT(d[w].n_unchecked, d[0].n_unchecked);
        CHECK_INT(d[w].n_new, d[0].n_new);
        CHECK_INT(d[w].n_unchanged, d[0].n_unchanged);
    }
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        size_t n0, n;
        char *want = render(r, formats[i], &d[0], &n0);
        for (size_t w = 1; w < 4; w++) {
            char *got = render(r, formats[i], &d[w], &n);
            int same = want && got && n == n0 && memcmp(want, got, n) == 0;
            if (!same)
                fprintf(stderr, "%s: format %d, way %zu differs\n", what, (int)formats[i], w);
            CHECK(same);
            free(got);
        }
        free(want);
    }
    for (size_t w = 0; w < 4; w++)
        pw_baseline_diff_free(&d[w]);
}

/* The baseline of findings f[0..n) (their JSON report, read back), its records in memory up to
 * mem bytes (1: all in the file). */
static pw_baseline *baseline_of(const pw_finding *f, size_t n, size_t mem)
{
    pw_scan_result old = {.target = "h.har",
                          .source = PW_SOURCE_BROWSER,
                          .findings = f,
                          .n_findings = n,
                          .captured_first = 1.7e9,
                          .captured_last = 1.7e9};
    size_t len;
    char *json = render(&old, PW_REPORT_JSON, NULL, &len);
    pw_baseline *b = NULL;
    FILE *file = json ? fmemopen(json, len, "r") : NULL;
    pw_err err;
    pw_err_clear(&err);
    CHECK(file && pw_baseline_parse_file_mem(file, 0, mem, "old.json", &b, &err) == PW_OK);
    if (file)
        fclose(file);
    free(json);
    return b;
}

static void reports_unchanged(void)
{
    for (int one_host = 0; one_host < 2; one_host++)
        for (size_t n = 1; n <= 3000; n = n < 40 ? n * 3 : n * 10) {
            pw_arena a;
            pw_arena_init(&a, 0);
            pw_finding *old = mixed_findings(&a, n, one_host);
            /* the scan: every third finding again, pages 0-19 visited, page 5 failed, Meta's
             * script failed on page 7, page 3 visited with another query */
            size_t m = 0;
            pw_finding *now = pw_arena_calloc(&a, n, sizeof *now);
            for (size_t i = 0; now && i < n; i += 3)
                now[m++] = old[i];
            pw_page *pages = pw_arena_calloc(&a, 20, sizeof *pages);
            pw_hhs_context *ctx = pw_arena_calloc(&a, 20, sizeof *ctx);
            for (size_t p = 0; pages && p < 20; p++)
                pages[p].url = pw_arena_sprintf(&a, "https://%s/p/%zu%s", p % 4 ? "h.org" : "H.org",
                                                p, p == 3 ? "?other=1" : "");
            const pw_capture_gap gaps[] = {
                {.kind = PW_GAP_PAGE, .url = "https://h.org/p/5", .error = "timeout"},
                {.kind = PW_GAP_SCRIPT,
                 .url = "https://connect.facebook.net/fbevents.js",
                 .page_url = "https://h.org/p/7",
                 .tracker_id = "meta-pixel"},
            };
            pw_scan_result r = {.target = "h.har",
                                .source = PW_SOURCE_BROWSER,
                                .findings = now,
                                .n_findings = m,
                                .pages = pages,
                                .n_pages = 20,
                                .page_contexts = ctx,
                                .gaps = gaps,
                                .n_gaps = 2};
            for (int spilled = 0; spilled < 2; spilled++) {
                pw_baseline *b = baseline_of(old, n, spilled ? 1 : SIZE_MAX);
                char what[64];
                snprintf(what, sizeof what, "%zu findings, one host %d, spilled %d", n, one_host,
                         spilled);
                if (b)
                    same_reports(b, &r, what);
                pw_baseline_free(b);
            }
            pw_arena_free(&a);
        }
}

/* ---- a temporary file that cannot be read ---- */

/* The descriptor of the (unlinked) temporary file made last, -1 when none. */
static int spill_fd(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
        char path[300], target[512];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strstr(target, "phiwall-findings-") && atoi(e->d_name) > found)
            found = atoi(e->d_name);
    }
    if (dir)
        closedir(dir);
    return found;
}

static void unreadable_file_fails_the_render(void)
{
    char dir[] = "/tmp/pw-absent-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *old_tmp = getenv("TMPDIR");
    char *saved = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", dir, 1);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *f = mixed_findings(&a, 500, 0);
    pw_baseline *b = baseline_of(f, 500, 1);
    pw_scan_result r = {.target = "h.har", .source = PW_SOURCE_BROWSER};
    pw_baseline_diff d;
    CHECK(b && pw_baseline_compare_with(b, &r, &(pw_baseline_compare_opts){.absent_mem = 1}, &d,
                                        NULL) == PW_OK);
    int fd = spill_fd();
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0 && dfd >= 0);
    if (b && fd >= 0 && dfd >= 0) {
        CHECK(d.gone == NULL && d.n_gone + d.n_unchecked == 500);
        CHECK(dup2(dfd, fd) == fd); /* its reads now fail: EISDIR */
        for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
            if (formats[i] == PW_REPORT_SARIF)
                continue; /* it lists no absent finding */
            pw_buf out;
            pw_buf_init(&out);
            pw_err err;
            pw_err_clear(&err);
            pw_status st =
                pw_report_render(&r, formats[i], &(pw_report_opts){.baseline = &d}, &out, &err);
            fprintf(stderr, "format %d: %s\n", (int)formats[i], err.msg);
            CHECK_INT(st, PW_ERR_IO);
            CHECK(strstr(err.msg, dir) != NULL);
            CHECK(strstr(err.msg, "old.json") != NULL);
            pw_buf_free(&out);
        }
    }
    if (dfd >= 0)
        close(dfd);
    if (b)
        pw_baseline_diff_free(&d);
    pw_baseline_free(b);
    pw_arena_free(&a);
    rmdir(dir);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

PW_TEST_MAIN(PW_TEST(little_per_absent_finding), PW_TEST(reports_unchanged),
             PW_TEST(unreadable_file_fails_the_render))
