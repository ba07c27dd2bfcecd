/* fuzz_har.c — libFuzzer target for the streaming HAR reader (capture/har.c + har_limit.c +
 * har_pages.c): any bytes must give PW_OK or an error message, never a crash, leak or unbounded
 * memory, also when an allocation inside yajl fails; a failed read names the file; every page and
 * request delivered has a URL. Odd-sized inputs are read with a site_of hook, even-sized ones with
 * the built-in site guess. */
#include <string.h>

#include "phiwall/har.h"
#include "phiwall/json_reserve.h"
#include "../unit/nomem_test.h"
#include "pw_fuzz.h"

static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static pw_status touch_page(void *ctx, const pw_page *p, pw_err *err)
{
    size_t *sum = ctx;
    FUZZ_ASSERT(p->url != NULL);
    *sum += strlen(p->url) + touch(p->title) + (size_t)p->has_login_form + (size_t)p->after_login;
    return PW_OK;
}

static pw_status touch_request(void *ctx, const pw_request *r, pw_err *err)
{
    size_t *sum = ctx;
    FUZZ_ASSERT(r->url != NULL && r->method != NULL);
    *sum += strlen(r->url) + strlen(r->method) + r->body_len;
    for (size_t i = 0; i < r->body_len; i++)
        *sum += r->body[i];
    for (size_t i = 0; i < r->n_headers; i++)
        *sum += strlen(r->headers[i].name) + strlen(r->headers[i].value);
    *sum += touch(r->page_url) + touch(r->frame_url) + touch(r->content_type) +
            touch(r->initiator) + touch(r->resource_type);
    return PW_OK;
}

/* log._phiwall.gaps: a known kind, strings that end */
static void touch_gap(void *ctx, const pw_capture_gap *g)
{
    size_t *sum = ctx;
    FUZZ_ASSERT(g->kind >= 0 && g->kind < PW_GAP__COUNT);
    *sum += g->pages + touch(g->url) + touch(g->page_url) + touch(g->error) + touch(g->tracker_id) +
            touch(g->tracker);
}

/* A registrable-domain stand-in: the host without its first label. */
static char *site_of(void *ctx, pw_arena *a, const char *host)
{
    const char *dot = strchr(host, '.');
    return dot && strchr(dot + 1, '.') ? pw_arena_strdup(a, dot + 1) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    size_t sum = 0;
    pw_capture_sink sink = {touch_page, touch_request, &sum, touch_gap};
    pw_har_opts opts = {.max_string = 64}; /* small, so the limiter is exercised */
    if (size % 2)
        opts.site_of = site_of;
    /* Inputs whose size is a multiple of 3 refuse yajl's allocation number size / 3 % 64 + 1
     * (counted through the reader's allocation probe): out of memory mid-stream must be an error
     * naming the file, never a crash, and what yajl asked for after the failure stays within the
     * spare set aside for it. */
    countdown c = {0, size % 3 ? 0 : (long)(size / 3 % 64) + 1};
    pw_json_probe probe = {.fail = fail_kth, .ctx = &c};
    opts.alloc_probe = &probe;
    pw_err err;
    pw_err_clear(&err);
    if (pw_har_read_ex(f, "fuzz.har", &sink, &opts, NULL, &err) != PW_OK)
        FUZZ_ASSERT(strncmp(err.msg, "fuzz.har: ", 10) == 0);
    FUZZ_ASSERT(!probe.overflow && probe.peak <= probe.reserve);
    fclose(f);
    return 0;
}
