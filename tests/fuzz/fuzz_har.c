/* fuzz_har.c — libFuzzer target for the streaming HAR reader (capture/har.c + har_limit.c):
 * any bytes must give PW_OK or an error message, never a crash, leak or unbounded memory. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "phiwall/har.h"

static pw_status touch_page(void *ctx, const pw_page *p, pw_err *err)
{
    size_t *sum = ctx;
    *sum += strlen(p->url) + (p->title ? strlen(p->title) : 0);
    return PW_OK;
}

static pw_status touch_request(void *ctx, const pw_request *r, pw_err *err)
{
    size_t *sum = ctx;
    *sum += strlen(r->url) + strlen(r->method) + r->body_len;
    for (size_t i = 0; i < r->body_len; i++)
        *sum += r->body[i];
    for (size_t i = 0; i < r->n_headers; i++)
        *sum += strlen(r->headers[i].name) + strlen(r->headers[i].value);
    if (r->page_url)
        *sum += strlen(r->page_url);
    return PW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    size_t sum = 0;
    pw_capture_sink sink = {touch_page, touch_request, &sum};
    pw_har_opts opts = {.max_string = 64}; /* small, so the limiter is exercised */
    pw_err err;
    pw_har_read_ex(f, "fuzz.har", &sink, &opts, NULL, &err);
    fclose(f);
    return 0;
}
