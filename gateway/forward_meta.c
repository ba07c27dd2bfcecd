/*
 * forward_meta.c — the Meta Conversions API driver: POST {base}/{api_version}/{pixel_id}/events
 * with {"data":[event…],"test_event_code"?,"access_token"}, up to 1000 events a request.
 * One invalid event rejects the whole batch, so each event is validated here first (names and
 * types only, never values in the reason). Events older than 6 days are dead-lettered (Meta
 * refuses the request beyond 7), and retries of an event an earlier request may have delivered
 * stop 47 h after the first attempt that may have reached Meta, before its 48 h deduplication
 * window closes. Graph error codes 1, 2, 4, 17, 341 are retried; 3, 10, 102, 190 and 200–299
 * (credentials) pause the destination with the events kept queued; 100 and other codes are final.
 * The access token goes in the body (never in a URL that could be logged). user_data fields Meta
 * hashes (em, ph, fn, ln, db, ge, ct, st, zp, country, external_id) must already be SHA-256 hex: a
 * raw value there is dead-lettered, not sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "gw_json.h"
#include "phiwall/text.h"

#define META_FUTURE_SKEW_S 60 /* clock skew tolerated for event_time */

static int fail(char *why, size_t cap, const char *msg)
{
    snprintf(why, cap, "%s", msg);
    return 1;
}

/* user_data keys Meta expects SHA-256 hashed (after normalisation). external_id too: the policy
 * sends first-party IDs as HMAC-SHA256, never raw. */
static const char *const hashed_keys[] = {"em", "ph", "fn", "ln",      "db",         "ge",
                                          "ct", "st", "zp", "country", "external_id"};

static int all_hashed(yajl_val v)
{
    if (YAJL_IS_STRING(v))
        return pw_is_sha256_hex(v->u.string, strlen(v->u.string));
    if (!YAJL_IS_ARRAY(v))
        return 0;
    for (size_t i = 0; i < v->u.array.len; i++)
        if (!all_hashed(v->u.array.values[i]) || YAJL_IS_ARRAY(v->u.array.values[i]))
            return 0;
    return 1;
}

/* Last line of defence: a raw identifier in a hashed field is refused, never sent. */
static int check_hashed(yajl_val ud, char *why, size_t cap)
{
    for (size_t i = 0; i < sizeof hashed_keys / sizeof hashed_keys[0]; i++) {
        yajl_val v = pw_gw_json_get(ud, hashed_keys[i]);
        if (v && !all_hashed(v)) {
            snprintf(why, cap, "invalid: user_data.%s must hold SHA-256 hex values (not sent raw)",
                     hashed_keys[i]);
            return 1;
        }
    }
    return 0;
}

static int meta_validate(yajl_val ev, int64_t now_ms, size_t *n_events, char *why, size_t cap)
{
    *n_events = 1;
    if (!YAJL_IS_OBJECT(ev))
        return fail(why, cap, "invalid: payload is not a JSON object");
    const char *name = pw_gw_json_str(ev, "event_name");
    if (!name || !name[0])
        return fail(why, cap, "invalid: event_name missing or not a string");
    yajl_val t = pw_gw_json_get(ev, "event_time");
    if (!YAJL_IS_INTEGER(t))
        return fail(why, cap, "invalid: event_time missing or not an integer (Unix seconds)");
    const char *src = pw_gw_json_str(ev, "action_source");
    if (!src || !src[0])
        return fail(why, cap, "invalid: action_source missing or not a string");
    yajl_val ud = pw_gw_json_get(ev, "user_data");
    if (!YAJL_IS_OBJECT(ud) || ud->u.object.len == 0)
        return fail(why, cap, "invalid: user_data missing or empty (Meta needs one key)");
    if (check_hashed(ud, why, cap))
        return 1;
    long long now_s = now_ms / 1000, ts = YAJL_GET_INTEGER(t);
    if (ts > now_s + META_FUTURE_SKEW_S)
        return fail(why, cap, "invalid: event_time is in the future");
    if (now_s - ts > 7 * 24 * 3600)
        return fail(why, cap, "stale: event_time older than 7 days (Meta rejects the batch)");
    if (now_s - ts > PW_FORWARD_META_MAX_EVENT_AGE_MS / 1000)
        return fail(why, cap, "stale: event_time older than 6 days");
    return 0;
}

static char *meta_url(const pw_destination *d)
{
    const char *base = d->base_url ? d->base_url : "https://graph.facebook.com";
    const char *ver = d->api_version ? d->api_version : "v21.0";
    size_t n = strlen(base) + strlen(ver) + strlen(d->pixel_id ? d->pixel_id : "") + 16;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s/%s/%s/events", base, ver, d->pixel_id ? d->pixel_id : "");
    return url;
}

static pw_status meta_build(const pw_destination *d, fw_request *r)
{
    pw_buf *b = &r->body;
    pw_buf_puts(b, "{\"data\":[");
    for (size_t i = 0; i < r->n_items; i++) {
        if (i)
            pw_buf_putc(b, ',');
        pw_fw_emit_item(b, r->items[i], r->items[i]->json);
    }
    pw_buf_putc(b, ']');
    if (d->test_event_code) {
        pw_buf_puts(b, ",\"test_event_code\":");
        pw_buf_json_string(b, d->test_event_code, strlen(d->test_event_code));
    }
    if (d->access_token) {
        pw_buf_puts(b, ",\"access_token\":");
        pw_buf_json_string(b, d->access_token, strlen(d->access_token));
    }
    return pw_buf_putc(b, '}');
}

static void meta_classify(const pw_destination *d, const fw_request *r, fw_outcome *out)
{
    pw_fw_classify_http(r, d->timeout_ms, out);
    if (r->curl_code != 0 || r->http_status == 407)
        return; /* transport failure, or the egress proxy's 407: no Graph answer to read */
    pw_meta_response m;
    if (!pw_fw_parse_meta_response(r->response.data ? r->response.data : "", r->response.len, &m))
        return;
    if (m.has_error) {
        int retry = pw_fw_meta_code_retryable(m.error_code);
        if (pw_fw_meta_code_auth(m.error_code))
            out->verdict = FW_AUTH; /* the token or its permissions: pause, keep the events */
        else if (retry >= 0)
            out->verdict = retry ? FW_RETRY : FW_DEAD;
        else if (out->verdict == FW_DELIVERED)
            out->verdict = FW_DEAD; /* an error body is never a delivery */
        snprintf(out->detail, sizeof out->detail,
                 "http %ld: graph error code %lld subcode %lld (%s): %s fbtrace_id=%s",
                 r->http_status, m.error_code, m.error_subcode,
                 out->verdict == FW_AUTH ? "credentials"
                 : retry > 0             ? "retryable"
                 : retry == 0            ? "final"
                                         : "unknown",
                 m.message, m.fbtrace_id);
        return;
    }
    if (out->verdict == FW_DELIVERED && m.events_received >= 0 &&
        m.events_received < (long long)r->n_items) {
        /* Meta took fewer events than were sent: still a disclosure of all of them (the bytes
         * went out), recorded as sent but flagged, with what Meta said about the rest. */
        out->partial = 1;
        snprintf(out->detail, sizeof out->detail,
                 "partial: events_received=%lld of %zu messages=%s fbtrace_id=%s",
                 m.events_received, r->n_items, m.messages[0] ? m.messages : "[]", m.fbtrace_id);
    } else if (out->verdict == FW_DELIVERED)
        snprintf(out->detail, sizeof out->detail, "fbtrace_id=%s events_received=%lld",
                 m.fbtrace_id, m.events_received);
    else if (m.fbtrace_id[0]) {
        size_t len = strlen(out->detail);
        snprintf(out->detail + len, sizeof out->detail - len, " fbtrace_id=%s", m.fbtrace_id);
    }
}

const fw_driver pw_fw_meta_driver = {
    .kind_name = "meta",
    .max_events = 1000,
    .max_body_bytes = 0,
    .max_age_ms = PW_FORWARD_META_MAX_EVENT_AGE_MS,
    .retry_window_ms = 47 * 3600 * 1000LL,
    .validate = meta_validate,
    .group_key = NULL,
    .url = meta_url,
    .build = meta_build,
    .classify = meta_classify,
};
