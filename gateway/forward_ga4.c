/*
 * forward_ga4.c — the GA4 Measurement Protocol driver: POST {base}/mp/collect?measurement_id=…
 * &api_secret=… with {client_id, consent?, …, events:[{name, params}]}, at most 25 events and
 * under 130 kB a request. Spooled payloads with identical top-level members (client_id,
 * consent, user_id, …) are merged into one request's events array. Production answers 2xx even
 * to data it drops, so the limits are checked here and a payload that breaks one is
 * dead-lettered with the reason; /debug/mp/collect answers (validationMessages) are read too.
 * GA4 accepts events up to 72 h old. A payload without "consent" is sent with consent denied.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_ga4.h"
#include "forward_internal.h"
#include "gw_json.h"
#include "phiwall/arena.h"
#include "phiwall/text.h"

#define GA4_MAX_EVENTS     25
#define GA4_MAX_NAME       40
#define GA4_MAX_VALUE      100
#define GA4_MAX_PARAMS     25
#define GA4_MAX_UP_NAME    24
#define GA4_MAX_UP_VALUE   36
#define GA4_MAX_BODY_BYTES (130 * 1000 - 1)

/* Event names GA4 reserves (automatically collected) and prefixes it refuses. */
static const char *const reserved_events[] = {"ad_activeview",
                                              "ad_click",
                                              "ad_exposure",
                                              "ad_impression",
                                              "ad_query",
                                              "ad_reward",
                                              "adunit_exposure",
                                              "app_background",
                                              "app_clear_data",
                                              "app_exception",
                                              "app_remove",
                                              "app_store_refund",
                                              "app_store_subscription_cancel",
                                              "app_store_subscription_convert",
                                              "app_store_subscription_renew",
                                              "app_update",
                                              "app_upgrade",
                                              "dynamic_link_app_open",
                                              "dynamic_link_app_update",
                                              "dynamic_link_first_open",
                                              "error",
                                              "first_open",
                                              "first_visit",
                                              "in_app_purchase",
                                              "notification_dismiss",
                                              "notification_foreground",
                                              "notification_open",
                                              "notification_receive",
                                              "os_update",
                                              "session_start",
                                              "session_start_with_rollout",
                                              "user_engagement"};
static const char *const reserved_prefixes[] = {"_", "ad_", "firebase_", "ga_", "google_", "gtag."};

static int fail(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t cap, const char *fmt, ...)
{
    int n = snprintf(why, cap, "invalid: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

/* Letters, digits and '_', starting with a letter, 1..max characters, no reserved prefix. */
static int good_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    for (size_t i = 0; i < sizeof reserved_prefixes / sizeof reserved_prefixes[0]; i++)
        if (strncmp(s, reserved_prefixes[i], strlen(reserved_prefixes[i])) == 0)
            return 0;
    return 1;
}

static int reserved_event(const char *s)
{
    for (size_t i = 0; i < sizeof reserved_events / sizeof reserved_events[0]; i++)
        if (strcmp(s, reserved_events[i]) == 0)
            return 1;
    return 0;
}

int pw_ga4_event_name_ok(const char *name)
{
    return good_name(name, GA4_MAX_NAME) && !reserved_event(name);
}

int pw_ga4_param_name_ok(const char *name)
{
    return good_name(name, GA4_MAX_NAME);
}

int pw_ga4_param_value_ok(const char *value)
{
    return pw_gw_utf8_len(value) <= GA4_MAX_VALUE;
}

/* Names are reported (they are policy-allowed identifiers); values never are. */
static int check_params(yajl_val params, size_t ev, char *why, size_t cap)
{
    if (!params)
        return 0;
    if (!YAJL_IS_OBJECT(params))
        return fail(why, cap, "events[%zu].params is not an object", ev);
    if (params->u.object.len > GA4_MAX_PARAMS)
        return fail(why, cap, "events[%zu] has more than 25 params", ev);
    for (size_t i = 0; i < params->u.object.len; i++) {
        const char *k = params->u.object.keys[i];
        yajl_val v = params->u.object.values[i];
        if (!pw_ga4_param_name_ok(k))
            return fail(why, cap,
                        "events[%zu]: param name \"%.40s\" breaks GA4 naming rules "
                        "(≤ 40 letters/digits/_, no reserved prefix)",
                        ev, k);
        if (YAJL_IS_STRING(v) && !pw_ga4_param_value_ok(YAJL_GET_STRING(v)))
            return fail(why, cap, "events[%zu]: param \"%.40s\" value longer than 100 chars", ev,
                        k);
        if ((YAJL_IS_OBJECT(v) || YAJL_IS_ARRAY(v)) && strcmp(k, "items") != 0)
            return fail(why, cap, "events[%zu]: param \"%.40s\" is not a scalar", ev, k);
    }
    return 0;
}

static int check_user_properties(yajl_val up, char *why, size_t cap)
{
    if (!up)
        return 0;
    if (!YAJL_IS_OBJECT(up))
        return fail(why, cap, "user_properties is not an object");
    for (size_t i = 0; i < up->u.object.len; i++) {
        const char *k = up->u.object.keys[i];
        if (!good_name(k, GA4_MAX_UP_NAME))
            return fail(why, cap, "user property name \"%.24s\" breaks GA4 naming rules", k);
        const char *v = pw_gw_json_str(up->u.object.values[i], "value");
        if (v && pw_gw_utf8_len(v) > GA4_MAX_UP_VALUE)
            return fail(why, cap, "user property \"%.24s\" value longer than 36 chars", k);
    }
    return 0;
}

/* GA4 drops events whose timestamp_micros is older than 72 h (with a 2xx): dead-letter them
 * here, with the reason, rather than send them. */
static int check_timestamp(yajl_val p, int64_t now_ms, char *why, size_t cap)
{
    yajl_val t = pw_gw_json_get(p, "timestamp_micros");
    if (!t)
        return 0;
    if (!YAJL_IS_INTEGER(t))
        return fail(why, cap, "timestamp_micros is not an integer");
    long long ms = YAJL_GET_INTEGER(t) / 1000;
    if (ms > now_ms + PW_FORWARD_FUTURE_SKEW_MS)
        return fail(why, cap, "timestamp_micros is in the future");
    if (now_ms - ms > PW_FORWARD_GA4_MAX_EVENT_AGE_MS)
        return fail(why, cap, "timestamp_micros older than 72 h (GA4 drops such events)");
    return 0;
}

static int ga4_validate(yajl_val p, int64_t now_ms, size_t *n_events, char *why, size_t cap)
{
    if (!YAJL_IS_OBJECT(p))
        return fail(why, cap, "payload is not a JSON object");
    if (check_timestamp(p, now_ms, why, cap))
        return 1;
    const char *cid = pw_gw_json_str(p, "client_id");
    if (!cid || !cid[0])
        return fail(why, cap, "client_id missing or not a string");
    yajl_val evs = pw_gw_json_get(p, "events");
    if (!YAJL_IS_ARRAY(evs) || evs->u.array.len == 0 || evs->u.array.len > GA4_MAX_EVENTS)
        return fail(why, cap, "events must be an array of 1 to 25 events");
    for (size_t i = 0; i < evs->u.array.len; i++) {
        yajl_val ev = evs->u.array.values[i];
        const char *name = pw_gw_json_str(ev, "name");
        if (!name)
            return fail(why, cap, "events[%zu].name missing", i);
        if (!pw_ga4_event_name_ok(name))
            return fail(why, cap,
                        "events[%zu].name \"%.40s\" breaks GA4 naming rules "
                        "(≤ 40 letters/digits/_, not reserved)",
                        i, name);
        if (check_params(pw_gw_json_get(ev, "params"), i, why, cap))
            return 1;
    }
    if (check_user_properties(pw_gw_json_get(p, "user_properties"), why, cap))
        return 1;
    *n_events = evs->u.array.len;
    return 0;
}

#define DENIED_CONSENT \
    "\"consent\":{\"ad_user_data\":\"DENIED\",\"ad_personalization\":\"DENIED\"},"

/* The group key of a compact payload, from its bytes: the same as below. */
static void compact_group_key(const char *s, size_t n, pw_buf *out)
{
    size_t pos = 0;
    fw_span m, k, v;
    int consent = 0;
    while (!consent && pw_fw_compact_next(s, n, &pos, &m, &k, &v))
        consent = pw_fw_compact_key_is(s, k, "consent");
    if (!consent)
        pw_buf_puts(out, DENIED_CONSENT);
    for (pos = 0; pw_fw_compact_next(s, n, &pos, &m, &k, &v);) {
        if (pw_fw_compact_key_is(s, k, "events"))
            continue;
        pw_buf_append(out, s + m.start, m.end - m.start);
        pw_buf_putc(out, ',');
    }
}

/* Everything but "events", compactly: payloads with equal keys share a request. A payload
 * without "consent" gets consent denied (DESIGN §4: denied by default). */
static void ga4_group_key(const fw_item *it, pw_buf *out)
{
    if (it->compact) {
        compact_group_key(it->spool->payload, it->spool->payload_len, out);
        return;
    }
    yajl_val p = it->json;
    if (!pw_gw_json_get(p, "consent"))
        pw_buf_puts(out, DENIED_CONSENT);
    for (size_t i = 0; YAJL_IS_OBJECT(p) && i < p->u.object.len; i++) {
        if (strcmp(p->u.object.keys[i], "events") == 0)
            continue;
        pw_buf_json_string(out, p->u.object.keys[i], strlen(p->u.object.keys[i]));
        pw_buf_putc(out, ':');
        pw_gw_json_emit(out, p->u.object.values[i]);
        pw_buf_putc(out, ',');
    }
}

static char *ga4_url(const pw_destination *d)
{
    pw_arena a;
    pw_arena_init(&a, 256);
    const char *base = d->base_url ? d->base_url : "https://www.google-analytics.com";
    const char *mid = d->measurement_id ? d->measurement_id : "";
    const char *sec = d->api_secret ? d->api_secret : "";
    char *emid = pw_pct_encode(&a, mid, strlen(mid));
    char *esec = pw_pct_encode(&a, sec, strlen(sec));
    char *url = NULL;
    if (emid && esec) {
        size_t n = strlen(base) + strlen(emid) + strlen(esec) + 48;
        url = malloc(n);
        if (url)
            snprintf(url, n, "%s/mp/collect?measurement_id=%s&api_secret=%s", base, emid, esec);
    }
    pw_arena_free(&a);
    return url;
}

/* Inside of the first "events" array of a compact payload (what emitting its elements one by
 * one, comma-separated, writes). */
static int compact_events(const fw_item *it, fw_span *inner)
{
    const char *s = it->spool->payload;
    size_t n = it->spool->payload_len, pos = 0;
    fw_span m, k, v;
    while (pw_fw_compact_next(s, n, &pos, &m, &k, &v)) {
        if (!pw_fw_compact_key_is(s, k, "events"))
            continue;
        if (v.end - v.start < 2 || s[v.start] != '[' || s[v.end - 1] != ']')
            return 0;
        *inner = (fw_span){v.start + 1, v.end - 1};
        return 1;
    }
    return 0;
}

static pw_status ga4_build(const pw_destination *d, fw_request *r)
{
    (void)d;
    pw_buf *b = &r->body;
    pw_buf_putc(b, '{');
    pw_buf_puts(b, r->items[0]->group); /* common members, each followed by ',' */
    pw_buf_puts(b, "\"events\":[");
    for (size_t i = 0; i < r->n_items; i++) {
        fw_item *it = r->items[i];
        yajl_val evs = pw_gw_json_get(it->json, "events");
        if (i)
            pw_buf_putc(b, ',');
        fw_span in;
        if (it->compact && compact_events(it, &in)) { /* the array's elements, as they are */
            pw_buf_append(b, it->spool->payload + in.start, in.end - in.start);
            continue;
        }
        for (size_t j = 0; j < evs->u.array.len; j++) {
            if (j)
                pw_buf_putc(b, ',');
            pw_gw_json_emit(b, evs->u.array.values[j]);
        }
    }
    pw_status st = pw_buf_puts(b, "]}");
    /* An event's payload_sha256 covers the whole request: its client_id, timestamp and consent
     * are disclosed with it, and a copy of the body is then proof of its records as it stands
     * (sha256sum). Up to 25 events of one visitor share a request, and so the hash. */
    for (size_t i = 0; i < r->n_items; i++) {
        r->items[i]->body_start = 0;
        r->items[i]->body_end = b->len;
    }
    return st;
}

static void ga4_classify(const pw_destination *d, const fw_request *r, fw_outcome *out)
{
    pw_fw_classify_http(r, d->timeout_ms, out);
    if (out->verdict != FW_DELIVERED)
        return;
    pw_ga4_response g;
    if (pw_fw_parse_ga4_response(r->response.data ? r->response.data : "", r->response.len, &g) &&
        g.validation_messages) {
        out->verdict = FW_DEAD;
        snprintf(out->detail, sizeof out->detail, "http %ld: %zu validation message(s): %s",
                 r->http_status, g.validation_messages, g.first_message);
    }
}

const fw_driver pw_fw_ga4_driver = {
    .kind_name = "ga4",
    .max_events = GA4_MAX_EVENTS,
    .max_body_bytes = GA4_MAX_BODY_BYTES,
    .max_age_ms = PW_FORWARD_GA4_MAX_EVENT_AGE_MS,
    .retry_window_ms = 72 * 3600 * 1000LL,
    .validate = ga4_validate,
    .group_key = ga4_group_key,
    .url = ga4_url,
    .build = ga4_build,
    .classify = ga4_classify,
};
