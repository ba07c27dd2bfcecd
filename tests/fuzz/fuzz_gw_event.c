/*
 * fuzz_gw_event.c — the gateway's event parser and policy on arbitrary bytes (a POST /e body).
 * Properties: never a crash; every accepted payload is well-formed JSON; the raw client IP and
 * user agent never appear in a payload (the policy truncates the one and drops the other); the
 * request path's arena JSON tree (gw_json_tree.c) agrees with yajl_tree on every input (nested
 * at most PW_GW_JT_MAX_DEPTH), and what yajl asks for stays within its reserve.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "gw_json_tree.h"
#include "gw_phi_detect.h"
#include "gw_time.h"
#include "pw_fuzz.h"

static const char *const policy_yaml =
    "site: {origins: [\"https://h.example\"], hmac_key_env: FUZZ_KEY}\n"
    "destinations:\n"
    "  meta: {type: meta, pixel_id: \"1\", access_token_env: FUZZ_KEY, page_url: categories,\n"
    "         page_categories: {\"/a*\": a}, default_category: o, referrer: origin,\n"
    "         page_title: keep, client_ip: truncate, user_data: [em, ph, fn, db, ge, zp],\n"
    "         first_party_id: hmac, allow_params: [x, y, z],\n"
    "         events: {a: PageView, b: Lead, c: Schedule}}\n"
    "  ga4: {type: ga4, measurement_id: G-1, api_secret_env: FUZZ_KEY, page_url: origin,\n"
    "        allow_params: [x, y], first_party_id: hmac, events: {a: page_view, b: lead}}\n"
    "  hook: {type: webhook, url: \"http://127.0.0.1:9/\", phi: drop, allow_params: [x],\n"
    "         user_data: [em], events: {a: A, c: C}}\n";

static pw_gw_policy *policy;
static pw_detector *det;
static pw_detect_scratch *scratch;

static pw_status scan(void *ctx, pw_arena *a, const char *key, pw_detect_object object,
                      const char *s, size_t n, pw_field_type t, pw_hit **hits, size_t *n_hits,
                      pw_err *err)
{
    return pw_detect_scan_member(det, scratch, a, key, object, s, n, t, hits, n_hits, err);
}

static void init(void)
{
    setenv("FUZZ_KEY", "0123456789abcdef0123", 1);
    FUZZ_ASSERT(pw_gw_policy_parse("fuzz.yaml", policy_yaml, strlen(policy_yaml), NULL, &policy,
                                   NULL) == PW_OK);
    FUZZ_ASSERT(pw_detector_new(NULL, &det, NULL) == PW_OK);
    FUZZ_ASSERT(pw_detect_scratch_new(det, &scratch, NULL) == PW_OK);
}

/* The arena tree and yajl_tree agree: same shape, strings, numbers and integer rule, or the
 * same error message. */
static int same_tree(const pw_gw_jt *a, yajl_val b)
{
    if (b->type == yajl_t_string)
        return a->type == PW_GW_JT_STRING && strcmp(a->s, b->u.string) == 0;
    if (b->type == yajl_t_number)
        return a->type == PW_GW_JT_NUMBER && strcmp(a->s, b->u.number.r) == 0 &&
               a->int_ok == YAJL_IS_INTEGER(b) && (!a->int_ok || a->i == b->u.number.i);
    if (b->type == yajl_t_object || b->type == yajl_t_array) {
        int obj = b->type == yajl_t_object;
        size_t n = obj ? b->u.object.len : b->u.array.len;
        if (a->type != (obj ? PW_GW_JT_OBJECT : PW_GW_JT_ARRAY) || a->n != n)
            return 0;
        const pw_gw_jt *m = a->first;
        for (size_t i = 0; i < n; i++, m = m->next) {
            yajl_val v = obj ? b->u.object.values[i] : b->u.array.values[i];
            if (!m || (obj && strcmp(m->key, b->u.object.keys[i]) != 0) || !same_tree(m, v))
                return 0;
        }
        return 1;
    }
    return a->type == (b->type == yajl_t_true    ? PW_GW_JT_TRUE
                       : b->type == yajl_t_false ? PW_GW_JT_FALSE
                                                 : PW_GW_JT_NULL);
}

static void check_tree(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return;
    char *text = malloc(size + 1);
    FUZZ_ASSERT(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    char yerr[256], jerr[256];
    yajl_val y = yajl_tree_parse(text, yerr, sizeof yerr);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_jt *t = NULL;
    pw_status st = pw_gw_jt_parse(&a, text, size, &t, jerr, sizeof jerr);
    /* yajl's own allocations stay within the reserve set aside for them (gw_json_tree.c): a
     * failing arena could otherwise crash yajl */
    pw_gw_jt_probe probe = {0};
    pw_gw_jt *t2 = NULL;
    pw_gw_jt_parse_yajl_probe(&a, text, size, &t2, NULL, 0, &probe);
    FUZZ_ASSERT(!probe.overflow && probe.peak <= probe.reserve);
    if (st == PW_ERR_PARSE && strncmp(jerr, "nesting deeper than", 19) == 0) {
        /* beyond PW_GW_JT_MAX_DEPTH: refused where yajl_tree has no bound */
    } else if (y) {
        FUZZ_ASSERT(st == PW_OK && t && same_tree(t, y));
    } else {
        yerr[strcspn(yerr, "\n")] = '\0';
        FUZZ_ASSERT(st == PW_ERR_PARSE && strcmp(yerr, jerr) == 0);
    }
    yajl_tree_free(y);
    pw_arena_free(&a);
    free(text);
}

static int in_input(const uint8_t *data, size_t size, const char *s)
{
    return memmem(data, size, s, strlen(s)) != NULL;
}

/* The per-event parse agrees with the whole-body parse: the same events when nothing is invalid,
 * else the valid ones plus rejects in increasing body order, each error naming its event. */
static void check_batch(const uint8_t *data, size_t size)
{
    pw_arena a, b;
    pw_arena_init(&a, 0);
    pw_arena_init(&b, 0);
    pw_gw_event *evs = NULL;
    size_t n = 0;
    pw_gw_parsed pr;
    pw_status whole =
        pw_gw_events_parse(&a, (const char *)data, size, &policy->limits, &evs, &n, NULL);
    pw_status per =
        pw_gw_events_parse_batch(&b, (const char *)data, size, &policy->limits, &pr, NULL);
    if (whole == PW_OK)
        FUZZ_ASSERT(per == PW_OK && pr.n_events == n && pr.n_rejected == 0);
    if (per == PW_OK && pr.n_rejected == 0)
        FUZZ_ASSERT(whole == PW_OK && n == pr.n_events);
    if (per == PW_OK) {
        for (size_t i = 0; i < pr.n_events; i++)
            FUZZ_ASSERT(pw_gw_is_uuid(pr.events[i].event_id) && pr.events[i].name);
        for (size_t i = 0; i < pr.n_rejected; i++) {
            const pw_gw_event_reject *r = &pr.rejected[i];
            FUZZ_ASSERT(i == 0 || r->index > pr.rejected[i - 1].index);
            FUZZ_ASSERT(r->index < pr.n_events + pr.n_rejected);
            FUZZ_ASSERT(strncmp(r->error, "events[", 7) == 0);
            FUZZ_ASSERT(strncmp(r->audit_error, "events[", 7) == 0);
            FUZZ_ASSERT(!r->event_id || pw_gw_is_uuid(r->event_id));
        }
    } else {
        FUZZ_ASSERT(whole != PW_OK);
    }
    pw_arena_free(&a);
    pw_arena_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!policy)
        init();
    check_tree(data, size);
    check_batch(data, size);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event *evs = NULL;
    size_t n = 0;
    pw_gw_phi phi = {scan, NULL};
    if (pw_gw_events_parse(&a, (const char *)data, size, &policy->limits, &evs, &n, NULL) ==
        PW_OK) {
        pw_gw_dest_result res[3];
        for (size_t i = 0; i < n; i++) {
            evs[i].client_ip = "198.51.100.231";
            evs[i].user_agent = "FuzzAgent/9.9";
            if (pw_gw_policy_apply(policy, &phi, &a, &evs[i], pw_gw_now_ms(), res, NULL) != PW_OK)
                continue;
            for (size_t d = 0; d < policy->n_dests; d++) {
                if (!res[d].accepted)
                    continue;
                /* The gateway must never copy the client's IP or user agent into a payload;
                 * text the visitor sent that happens to contain them is the PHI engine's
                 * business (tested on its own), so those inputs prove nothing here. */
                if (!in_input(data, size, "198.51.100.231"))
                    FUZZ_ASSERT(strstr(res[d].payload, "198.51.100.231") == NULL);
                if (!in_input(data, size, "FuzzAgent"))
                    FUZZ_ASSERT(strstr(res[d].payload, "FuzzAgent") == NULL);
                char eb[64];
                yajl_val v = yajl_tree_parse(res[d].payload, eb, sizeof eb);
                FUZZ_ASSERT(v != NULL);
                yajl_tree_free(v);
            }
        }
    }
    pw_arena_free(&a);
    return 0;
}
