/* fuzz_scan.c — libFuzzer target for the whole HAR scan: any bytes read as a HAR go through
 * decode, detect and assess, and the result is rendered in every report format. The catalog and
 * detector are built once (they are read-only); each input gets a fresh assessor. Every format
 * renders (PW_OK), and the JSON and SARIF reports are JSON that yajl reads. */
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_tree.h>

#include "phiwall/har.h"
#include "phiwall/report.h"
#include "pw_fuzz.h"

static pw_catalog *catalog;
static pw_detector *detector;

static pw_status on_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static pw_status on_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!catalog) {
        pw_detector_opts o = {0};
        if (pw_catalog_load(NULL, &catalog, NULL) != PW_OK ||
            pw_detector_new(&o, &detector, NULL) != PW_OK)
            return 0;
    }
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    pw_assessor *as = NULL;
    pw_assess_opts ao = {.catalog = catalog, .detector = detector};
    if (pw_assessor_new(&ao, &as, NULL) == PW_OK) {
        pw_capture_sink sink = {on_page, on_request, as, NULL};
        pw_har_opts ho = {.max_string = 4096};
        pw_har_read_ex(f, "fuzz.har", &sink, &ho, NULL, NULL);
        const pw_scan_result *r = NULL;
        if (pw_assessor_finish(as, &r, NULL) == PW_OK) {
            pw_report_opts ro = {.color = 1, .tool_version = "fuzz"};
            for (int fmt = PW_REPORT_TEXT; fmt <= PW_REPORT_HTML; fmt++) {
                pw_buf b;
                pw_buf_init(&b);
                FUZZ_ASSERT(pw_report_render(r, (pw_report_format)fmt, &ro, &b, NULL) == PW_OK);
                if (fmt == PW_REPORT_JSON || fmt == PW_REPORT_SARIF) {
                    FUZZ_ASSERT(b.data != NULL); /* NUL-terminated after any append */
                    char eb[128];
                    yajl_val v = yajl_tree_parse(b.data, eb, sizeof eb);
                    if (!v)
                        fprintf(stderr, "report %d is no JSON: %s\n", fmt, eb);
                    FUZZ_ASSERT(v != NULL);
                    yajl_tree_free(v);
                }
                pw_buf_free(&b);
            }
        }
        pw_assessor_free(as);
    }
    fclose(f);
    return 0;
}
