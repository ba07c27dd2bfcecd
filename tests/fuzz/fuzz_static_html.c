/* fuzz_static_html.c — libFuzzer target for the static scan's HTML extraction
 * (capture/static_extract.c over libgumbo): any bytes must give PW_OK or an error, never a crash
 * or leak; every delivered request is well-formed, its URL cleaned the WHATWG way (no tab or
 * newline), and a gap (the nesting bound, static_bound.h) names the page. Inputs are capped at
 * 64 KiB to keep runs many; the bound itself keeps gumbo's tree building near linear. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/static_scan.h"

static pw_status touch_page(void *ctx, const pw_page *p, pw_err *err)
{
    size_t *sum = ctx;
    *sum += strlen(p->url) + (p->title ? strlen(p->title) : 0);
    return PW_OK;
}

static pw_status touch_request(void *ctx, const pw_request *r, pw_err *err)
{
    size_t *sum = ctx;
    *sum += strlen(r->url) + strlen(r->method) + strlen(r->resource_type);
    for (size_t i = 0; i < r->n_headers; i++)
        *sum += strlen(r->headers[i].name) + strlen(r->headers[i].value);
    if (r->source != PW_SOURCE_STATIC || strpbrk(r->url, "\t\n\r"))
        abort();
    return PW_OK;
}

static void touch_link(void *ctx, const char *url, const char *text)
{
    size_t *sum = ctx;
    *sum += strlen(url) + strlen(text);
}

static void touch_gap(void *ctx, const pw_capture_gap *g)
{
    size_t *sum = ctx;
    if (g->kind != PW_GAP_PAGE || !g->url || !g->error)
        abort();
    *sum += strlen(g->url) + strlen(g->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    size_t sum = 0;
    pw_capture_sink sink = {touch_page, touch_request, &sum, touch_gap};
    pw_err err;
    pw_static_extract("https://www.example-hospital.org/services/cardiology?x=1",
                      (const char *)data, size, &sink, touch_link, &sum, &err);
    return 0;
}
