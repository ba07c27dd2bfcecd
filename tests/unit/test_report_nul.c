/*
 * test_report_nul.c — an evidence value is the value as sent, NUL bytes and all. A field's value
 * holding a NUL (a search sent as `q=kn%00ee pain`) was copied up to its NUL while its length
 * stayed: the reports read past the copy (memory of the arena, not the value) or, once spilled,
 * NULs where the rest of the value was. Every format now shows the whole value, the same with
 * and without the spill file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phiwall/assess.h"
#include "phiwall/har.h"
#include "phiwall/report.h"
#include "pw_test.h"

static pw_catalog *cat;
static pw_detector *det;

/* A Meta Pixel search on a find-a-doctor page whose search string holds a NUL, an ESC sequence,
 * a C1 control and a byte that is no UTF-8 before its health term. */
static const char har[] =
    "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"t\",\"version\":\"1\"},"
    "\"pages\":[{\"startedDateTime\":\"2024-05-01T12:00:00.000Z\",\"id\":\"p1\","
    "\"title\":\"Find a Doctor\",\"pageTimings\":{}}],\"entries\":["
    "{\"pageref\":\"p1\",\"startedDateTime\":\"2024-05-01T12:00:00.000Z\",\"time\":1,"
    "\"_resourceType\":\"document\",\"request\":{\"method\":\"GET\","
    "\"url\":\"https://www.demo-hospital.org/find-a-doctor\",\"httpVersion\":\"HTTP/2\","
    "\"headers\":[],\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":0},"
    "\"response\":{\"status\":200,\"statusText\":\"\",\"httpVersion\":\"HTTP/2\",\"headers\":[],"
    "\"cookies\":[],\"content\":{\"size\":0,\"mimeType\":\"text/html\"},\"redirectURL\":\"\","
    "\"headersSize\":-1,\"bodySize\":0},\"cache\":{},\"timings\":{\"send\":0,\"wait\":1,"
    "\"receive\":1}},"
    "{\"pageref\":\"p1\",\"startedDateTime\":\"2024-05-01T12:00:01.000Z\",\"time\":1,"
    "\"_resourceType\":\"image\",\"request\":{\"method\":\"GET\","
    "\"url\":\"https://www.facebook.com/tr/?id=123456789012345&ev=Search&"
    "dl=https%3A%2F%2Fwww.demo-hospital.org%2Ffind-a-doctor&"
    "cd%5Bsearch_string%5D=kn%00e%1B%5B2J%C2%9B%FF%20pain\",\"httpVersion\":\"HTTP/2\","
    "\"headers\":[{\"name\":\"Referer\",\"value\":\"https://www.demo-hospital.org/"
    "find-a-doctor\"}],"
    "\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":0},"
    "\"response\":{\"status\":200,\"statusText\":\"\",\"httpVersion\":\"HTTP/2\",\"headers\":[],"
    "\"cookies\":[],\"content\":{\"size\":0,\"mimeType\":\"image/gif\"},\"redirectURL\":\"\","
    "\"headersSize\":-1,\"bodySize\":0},\"cache\":{},\"timings\":{\"send\":0,\"wait\":1,"
    "\"receive\":1}}]}}";

static pw_status sink_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static pw_status sink_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

/* The report of the HAR in fmt with this memory budget (1: every finding spilled). */
static char *render(const char *path, size_t budget, pw_report_format fmt)
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
    pw_buf out;
    pw_buf_init(&out);
    pw_report_opts ro = {.tool_version = "test"};
    ok = ok && pw_report_render(r, fmt, &ro, &out, &err) == PW_OK;
    pw_buf_putc(&out, '\0');
    if (!ok)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    CHECK(ok);
    pw_assessor_free(as);
    return pw_buf_steal(&out, NULL);
}

static void whole_value(void)
{
    char path[] = "/tmp/pw_test_nul_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, har, sizeof har - 1) == (ssize_t)(sizeof har - 1));
    close(fd);
    for (int spill = 0; spill < 2; spill++) {
        size_t budget = spill ? 1 : (size_t)1 << 40;
        char *j = render(path, budget, PW_REPORT_JSON);
        CHECK(j && strstr(j, "\"value\": \"kn\\u0000e\\u001b[2J\xc2\x9b\\ufffd pain\""));
        char *t = render(path, budget, PW_REPORT_TEXT);
        CHECK(t &&
              strstr(t, "cd[search_string] (event data) = kn\\x00e\\x1b[2J\\u009b\\xff [[pain]]"));
        char *h = render(path, budget, PW_REPORT_HTML);
        CHECK(h && strstr(h, "kn\xef\xbf\xbd"
                             "e\xef\xbf\xbd[2J\xef\xbf\xbd\xef\xbf\xbd <mark"));
        if (j && !strstr(j, "kn\\u0000e\\u001b"))
            fprintf(stderr, "spill %d: %.200s\n", spill, strstr(j, "\"kn") ? strstr(j, "\"kn") : j);
        free(j);
        free(t);
        free(h);
    }
    unlink(path);
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
    static const pw_test_case cases[] = {PW_TEST(whole_value)};
    int rc = pw_test_run(cases, sizeof cases / sizeof cases[0]);
    pw_detector_free(det);
    pw_catalog_free(cat);
    return rc;
}
