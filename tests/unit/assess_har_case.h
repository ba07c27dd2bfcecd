/*
 * assess_har_case.h — TEST-ONLY: scan one HAR of tests/data/assess/ through the catalog, the PHI
 * engine and the assessor, the way `phiwall scan --har` does; the result lives as long as the
 * assessor. Shared by the assess tests (test_assess_findings.c, test_assess_rules.c).
 */
#ifndef ASSESS_HAR_CASE_H
#define ASSESS_HAR_CASE_H

#include <stdio.h>
#include <string.h>

#include "phiwall/assess.h"
#include "phiwall/har.h"

#ifndef ASSESS_CASE_DIR /* a test may scan another directory's cases (tests/data/har/) */
#define ASSESS_CASE_DIR PW_SRC_DIR "/tests/data/assess/"
#endif

typedef struct scan {
    pw_catalog *cat;
    pw_detector *det;
    pw_assessor *as;
    const pw_scan_result *r;
} scan;

static inline pw_status assess_case_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static inline pw_status assess_case_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

/* Scan tests/data/assess/<name>.har with these canaries; 0 (and the error on stderr) on failure. */
static inline int scan_har_with(scan *s, const char *name, const pw_canary *canaries,
                                size_t n_canaries)
{
    memset(s, 0, sizeof *s);
    pw_err err = {0};
    pw_detector_opts dopts = {.canaries = canaries, .n_canaries = n_canaries};
    int ok = pw_catalog_load(NULL, &s->cat, &err) == PW_OK &&
             pw_detector_new(&dopts, &s->det, &err) == PW_OK;
    pw_assess_opts aopts = {.catalog = s->cat, .detector = s->det};
    ok = ok && pw_assessor_new(&aopts, &s->as, &err) == PW_OK;
    char path[512];
    snprintf(path, sizeof path, ASSESS_CASE_DIR "%s.har", name);
    pw_capture_sink sink = {assess_case_page, assess_case_request, s->as, NULL};
    ok = ok && pw_har_read_file(path, &sink, &err) == PW_OK;
    ok = ok && pw_assessor_finish(s->as, &s->r, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    return ok;
}

static inline int scan_har(scan *s, const char *name)
{
    return scan_har_with(s, name, NULL, 0);
}

/* Scan hand-built pages and requests (no HAR); 0 (and the error on stderr) on failure. */
static inline int scan_requests(scan *s, const pw_page *pages, size_t n_pages,
                                const pw_request *reqs, size_t n_reqs)
{
    memset(s, 0, sizeof *s);
    pw_err err = {0};
    pw_detector_opts dopts = {0};
    int ok = pw_catalog_load(NULL, &s->cat, &err) == PW_OK &&
             pw_detector_new(&dopts, &s->det, &err) == PW_OK;
    pw_assess_opts aopts = {.catalog = s->cat, .detector = s->det};
    ok = ok && pw_assessor_new(&aopts, &s->as, &err) == PW_OK;
    for (size_t i = 0; ok && i < n_pages; i++)
        ok = pw_assessor_add_page(s->as, &pages[i], &err) == PW_OK;
    for (size_t i = 0; ok && i < n_reqs; i++)
        ok = pw_assessor_add_request(s->as, &reqs[i], &err) == PW_OK;
    ok = ok && pw_assessor_finish(s->as, &s->r, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "scan_requests: %s\n", err.msg);
    return ok;
}

static inline void scan_free(scan *s)
{
    pw_assessor_free(s->as);
    pw_detector_free(s->det);
    pw_catalog_free(s->cat);
}

#endif
