/*
 * forward_webhook.c — the generic HTTPS webhook driver: POST {url} with a JSON array of the
 * spooled objects (Authorization: Bearer when configured, set by forward_send.c). 2xx is
 * delivered; 408, 429, 5xx and transport failures are retried; any other status is final.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"

static int hook_validate(yajl_val p, int64_t now_ms, size_t *n_events, char *why, size_t cap)
{
    (void)now_ms;
    *n_events = 1;
    if (!YAJL_IS_OBJECT(p)) {
        snprintf(why, cap, "invalid: payload is not a JSON object");
        return 1;
    }
    return 0;
}

static char *hook_url(const pw_destination *d)
{
    return strdup(d->url ? d->url : "");
}

static pw_status hook_build(const pw_destination *d, fw_request *r)
{
    (void)d;
    pw_buf_putc(&r->body, '[');
    for (size_t i = 0; i < r->n_items; i++) {
        if (i)
            pw_buf_putc(&r->body, ',');
        pw_fw_emit_item(&r->body, r->items[i], r->items[i]->json);
    }
    return pw_buf_putc(&r->body, ']');
}

static void hook_classify(const pw_destination *d, const fw_request *r, fw_outcome *out)
{
    pw_fw_classify_http(r, d->timeout_ms, out);
}

const fw_driver pw_fw_webhook_driver = {
    .kind_name = "webhook",
    .max_events = 100,
    .max_body_bytes = 1 << 20,
    .max_age_ms = PW_FORWARD_WEBHOOK_MAX_EVENT_AGE_MS,
    .retry_window_ms = 7 * FW_DAY_MS,
    .validate = hook_validate,
    .group_key = NULL,
    .url = hook_url,
    .build = hook_build,
    .classify = hook_classify,
};
