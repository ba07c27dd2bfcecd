/* test_gw_policy_narrow.c — the policy in force re-applied to a spooled payload before it is
 * sent (gw_policy_narrow.h). A payload that policy P wrote, narrowed to P, is unchanged (the
 * forwarders narrow every payload: a false removal would change what every event sends); narrowed
 * to a tightened P', it is byte for byte what P' writes for the same event (where P' can be
 * re-decided from the payload); an event P' no longer sends is dead with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "gw_json.h"
#include "gw_policy_narrow.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "pw_test.h"

/* Everything a destination can send, kept. */
static const char *const loose_yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  meta:\n"
    "    type: meta\n"
    "    pixel_id: \"42\"\n"
    "    access_token_env: GW_TEST_META_TOKEN\n"
    "    events: {page_view: PageView, appointment_request: Schedule}\n"
    "    allow_params: [value, currency, clinic_code]\n"
    "    page_url: categories\n"
    "    page_categories: {\"/find-a-doctor*\": find_doctor, \"/clinics/*\": clinic_page}\n"
    "    default_category: other\n"
    "    referrer: origin\n"
    "    referrer_origins: [https://www.google.com]\n"
    "    page_title: keep\n"
    "    client_ip: truncate\n"
    "    user_agent: keep\n"
    "    user_data: [em, ph]\n"
    "    first_party_id: hmac\n"
    "  ga4:\n"
    "    type: ga4\n"
    "    measurement_id: G-TEST\n"
    "    api_secret_env: GW_TEST_GA4_SECRET\n"
    "    events: {page_view: page_view, appointment_request: generate_lead}\n"
    "    allow_params: [value, clinic_code]\n"
    "    page_url: categories\n"
    "    page_categories: {\"/find-a-doctor*\": find_doctor, \"/clinics/*\": clinic_page}\n"
    "    referrer: origin\n"
    "    referrer_origins: \"*\"\n"
    "    page_title: keep\n"
    "    consent: visitor\n"
    "    first_party_id: hmac\n"
    "  hook:\n"
    "    type: webhook\n"
    "    url: http://127.0.0.1:9/hook\n"
    "    events: {page_view: PageView, appointment_request: Schedule}\n"
    "    allow_params: [value, clinic_code]\n"
    "    page_url: origin\n"
    "    referrer: origin\n"
    "    referrer_origins: [https://www.google.com]\n"
    "    page_title: keep\n"
    "    client_ip: truncate\n"
    "    user_agent: keep\n"
    "    user_data: [em]\n"
    "    first_party_id: hmac\n";

/* The same, tightened on every rule that can be re-decided from a payload. */
static const char *const tight_yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  meta:\n"
    "    type: meta\n"
    "    pixel_id: \"42\"\n"
    "    access_token_env: GW_TEST_META_TOKEN\n"
    "    events: {page_view: PageView, appointment_request: Schedule}\n"
    "    allow_params: [value]\n"
    "    page_url: categories\n"
    "    page_categories: {\"/find-a-doctor*\": find_doctor, \"/clinics/*\": clinic_page}\n"
    "    default_category: other\n"
    "    referrer: drop\n"
    "    page_title: drop\n"
    "    client_ip: truncate\n"
    "    user_agent: drop\n"
    "    user_data: [em]\n"
    "    first_party_id: hmac\n"
    "  ga4:\n"
    "    type: ga4\n"
    "    measurement_id: G-TEST\n"
    "    api_secret_env: GW_TEST_GA4_SECRET\n"
    "    events: {page_view: page_view, appointment_request: generate_lead}\n"
    "    allow_params: [value]\n"
    "    page_url: origin\n"
    "    referrer: origin\n"
    "    page_title: drop\n"
    "    consent: denied\n"
    "    first_party_id: drop\n"
    "  hook:\n"
    "    type: webhook\n"
    "    url: http://127.0.0.1:9/hook\n"
    "    events: {page_view: PageView, appointment_request: Schedule}\n"
    "    allow_params: []\n"
    "    page_url: drop\n"
    "    referrer: origin\n"
    "    page_title: drop\n"
    "    client_ip: drop\n"
    "    user_agent: drop\n"
    "    user_data: []\n"
    "    first_party_id: drop\n";

#define NOW 1700000001000LL

static const char *const events_json =
    "[{\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"appointment_request\","
    "\"time\":1700000000000,\"fpid\":\"fp-1\",\"consent\":{\"ads\":true,\"analytics\":true},"
    "\"page_url\":\"https://www.example-hospital.org/find-a-doctor/smith?q=1\","
    "\"referrer\":\"https://www.google.com/search?q=x\",\"page_title\":\"Visiting hours\","
    "\"user\":{\"email\":\"a@example.com\",\"phone\":\"+1 555 010 0199\"},"
    "\"params\":{\"value\":12,\"currency\":\"USD\",\"clinic_code\":\"K7\"}},"
    "{\"event_id\":\"22222222-2222-4222-8222-222222222222\",\"name\":\"page_view\","
    "\"time\":1700000000500,\"fpid\":\"fp-2\",\"consent\":{\"ads\":true,\"analytics\":true},"
    "\"page_url\":\"https://www.example-hospital.org/\","
    "\"referrer\":\"https://www.example-hospital.org/find-a-doctor\","
    "\"params\":{\"value\":1}},"
    "{\"event_id\":\"33333333-3333-4333-8333-333333333333\",\"name\":\"page_view\","
    "\"time\":1700000000700,\"consent\":{\"ads\":false,\"analytics\":true},"
    "\"page_url\":\"https://www.example-hospital.org/find-a-doctor\"}]";

typedef struct fixture {
    pw_arena a;
    pw_gw_policy *loose, *tight;
    pw_gw_event *evs;
    size_t n_evs;
} fixture;

static void fixture_init(fixture *f)
{
    pw_err err = {0};
    pw_arena_init(&f->a, 0);
    f->loose = gw_test_policy_load(loose_yaml, &err);
    if (!f->loose)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(f->loose != NULL);
    f->tight = gw_test_policy_load(tight_yaml, &err);
    if (!f->tight)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(f->tight != NULL);
    CHECK_INT(pw_gw_events_parse(&f->a, events_json, strlen(events_json), &f->loose->limits,
                                 &f->evs, &f->n_evs, &err),
              PW_OK);
    CHECK_INT(f->n_evs, 3);
    for (size_t i = 0; i < f->n_evs; i++) { /* from the request, as ingest sets them */
        f->evs[i].client_ip = "203.0.113.7";
        f->evs[i].user_agent = "test-agent/1";
    }
}

static void fixture_free(fixture *f)
{
    pw_gw_policy_free(f->loose);
    pw_gw_policy_free(f->tight);
    pw_arena_free(&f->a);
}

/* payload narrowed to destination d of p, re-emitted (arena); NULL when dead (*nw says why). */
static const char *narrowed(pw_arena *a, const pw_gw_policy *p, size_t d, const char *payload,
                            const char *event_id, pw_gw_narrowed *nw)
{
    yajl_val v = pw_fw_parse(a, payload, strlen(payload));
    CHECK(v != NULL);
    if (!v)
        return NULL;
    pw_gw_policy_narrow(p, d, v, event_id, nw);
    pw_err err = {0}; /* and the PHI verdicts, as a forwarder re-decides them after a reload */
    CHECK_INT(pw_gw_policy_narrow_phi(p, d, v, &gw_test_phi, a, nw, &err), PW_OK);
    if (nw->dead)
        return NULL;
    pw_buf b;
    pw_buf_init(&b);
    pw_gw_json_emit(&b, v);
    char *out = pw_arena_strndup(a, b.data, b.len);
    pw_buf_free(&b);
    return out;
}

/* What P wrote, narrowed to P: nothing removed, the same bytes. */
static void test_same_policy_changes_nothing(void)
{
    fixture f;
    fixture_init(&f);
    pw_err err = {0};
    const pw_gw_policy *ps[2] = {f.loose, f.tight};
    size_t checked = 0;
    for (size_t k = 0; k < 2 && ps[k]; k++)
        for (size_t e = 0; e < f.n_evs; e++) {
            pw_gw_dest_result res[3];
            CHECK_INT(pw_gw_policy_apply(ps[k], &gw_test_phi, &f.a, &f.evs[e], NOW, res, &err),
                      PW_OK);
            for (size_t d = 0; d < 3; d++) {
                if (!res[d].accepted)
                    continue;
                pw_gw_narrowed nw;
                const char *out = narrowed(&f.a, ps[k], d, res[d].payload, f.evs[e].event_id, &nw);
                CHECK_INT(nw.dead, 0);
                CHECK_INT(nw.removed, 0);
                if (nw.removed)
                    fprintf(stderr, "policy %zu event %zu dest %zu: %s\n", k, e, d, nw.note);
                CHECK_STR(out, res[d].payload);
                checked++;
            }
        }
    CHECK(checked >= 10);
    fixture_free(&f);
}

/* What the loose policy wrote, narrowed to the tight one: what the tight policy writes. */
static void test_tightened_policy_is_what_it_writes(void)
{
    fixture f;
    fixture_init(&f);
    pw_err err = {0};
    size_t checked = 0;
    for (size_t e = 0; e < f.n_evs; e++) {
        pw_gw_dest_result was[3], now[3];
        CHECK_INT(pw_gw_policy_apply(f.loose, &gw_test_phi, &f.a, &f.evs[e], NOW, was, &err),
                  PW_OK);
        CHECK_INT(pw_gw_policy_apply(f.tight, &gw_test_phi, &f.a, &f.evs[e], NOW, now, &err),
                  PW_OK);
        for (size_t d = 0; d < 3; d++) {
            if (!was[d].accepted)
                continue;
            pw_gw_narrowed nw;
            const char *out = narrowed(&f.a, f.tight, d, was[d].payload, f.evs[e].event_id, &nw);
            if (!now[d].accepted) { /* the tight policy refuses it: so does the narrowing */
                CHECK_INT(nw.dead, 1);
                continue;
            }
            CHECK_STR(out, now[d].payload);
            CHECK(nw.removed > 0);
            checked++;
        }
    }
    CHECK(checked >= 5);
    fixture_free(&f);
}

static void test_notes_and_dead_reasons(void)
{
    fixture f;
    fixture_init(&f);
    pw_err err = {0};
    pw_gw_dest_result was[3];
    CHECK_INT(pw_gw_policy_apply(f.loose, &gw_test_phi, &f.a, &f.evs[0], NOW, was, &err), PW_OK);
    pw_gw_narrowed nw;
    narrowed(&f.a, f.tight, 0, was[0].payload, f.evs[0].event_id, &nw);
    CHECK_STR(nw.note, "user_data.ph (user_data: key no longer allowed), "
                       "user_data.client_user_agent (user_agent: drop), "
                       "custom_data.currency (allow_params: not allowed), "
                       "custom_data.clinic_code (allow_params: not allowed), "
                       "custom_data.referrer_origin (referrer: drop), "
                       "custom_data.page_title (page_title: drop)");
    CHECK_INT(nw.removed, 6);
    /* an event name the policy no longer sends */
    static const char *const no_schedule =
        "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: GW_TEST_SITE_KEY\n"
        "destinations:\n  meta:\n    type: meta\n    pixel_id: \"42\"\n"
        "    access_token_env: GW_TEST_META_TOKEN\n    events: {page_view: PageView}\n"
        "    first_party_id: hmac\n";
    pw_gw_policy *p = gw_test_policy_load(no_schedule, &err);
    CHECK(p != NULL);
    CHECK(narrowed(&f.a, p, 0, was[0].payload, f.evs[0].event_id, &nw) == NULL);
    CHECK_STR(nw.note, "events: no rule of the policy in force sends 'Schedule' any more");
    pw_gw_policy_free(p);
    /* Meta with every identifier gone */
    static const char *const no_ids =
        "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: GW_TEST_SITE_KEY\n"
        "destinations:\n  meta:\n    type: meta\n    pixel_id: \"42\"\n"
        "    access_token_env: GW_TEST_META_TOKEN\n    events: {appointment_request: Schedule}\n";
    p = gw_test_policy_load(no_ids, &err);
    CHECK(p != NULL);
    CHECK(narrowed(&f.a, p, 0, was[0].payload, f.evs[0].event_id, &nw) == NULL);
    CHECK(strstr(nw.note, "meta: no user_data left") == nw.note);
    pw_gw_policy_free(p);
    fixture_free(&f);
}

/* The PHI verdicts re-decided (pw_gw_policy_narrow_phi): a payload written under phi: redact
 * and text_scripts: any is unchanged under the same policy; under phi: drop and text_scripts:
 * latin, the string redacted at acceptance and the Cyrillic one are removed, the clean one
 * stays; a string the engine now finds PHI in (one the engine of acceptance let through: a
 * --vocab term added since; here a payload written to carry one) is redacted under redact and
 * removed under drop. */
static const char *phi_yaml(const char *phi, const char *scripts, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "site:\n"
             "  origins: [https://www.example-hospital.org]\n"
             "destinations:\n"
             "  hook:\n"
             "    type: webhook\n"
             "    url: http://127.0.0.1:9/hook\n"
             "    events: {appointment_request: Schedule}\n"
             "    allow_params: [note, topic, code, n]\n"
             "    page_title: keep\n"
             "    phi: %s\n"
             "    text_scripts: %s\n",
             phi, scripts);
    return buf;
}

static void test_phi_verdicts_re_decided(void)
{
    char y1[1024], y2[1024];
    pw_err err = {0};
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_policy *loose = gw_test_policy_load(phi_yaml("redact", "any", y1, sizeof y1), &err);
    pw_gw_policy *tight = gw_test_policy_load(phi_yaml("drop", "latin", y2, sizeof y2), &err);
    CHECK(loose && tight);
    static const char ev_json[] =
        "{\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":"
        "\"appointment_request\",\"time\":1700000000000,\"page_title\":\"Visiting hours\","
        "\"params\":{\"note\":\"hiv test\",\"topic\":\"\u041f\u0440\u0438\u0432\u0435\u0442\","
        "\"code\":\"blue\"}}";
    pw_gw_event *evs = NULL;
    size_t n = 0;
    CHECK_INT(pw_gw_events_parse(&a, ev_json, strlen(ev_json), &loose->limits, &evs, &n, &err),
              PW_OK);
    pw_gw_dest_result res[1];
    CHECK_INT(pw_gw_policy_apply(loose, &gw_test_phi, &a, &evs[0], NOW, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK(strstr(res[0].payload, "\"note\":\"[HEALTH] test\"") != NULL);
    pw_gw_narrowed nw;
    const char *same = narrowed(&a, loose, 0, res[0].payload, evs[0].event_id, &nw);
    CHECK_INT(nw.removed, 0);
    CHECK_STR(same, res[0].payload);
    const char *t = narrowed(&a, tight, 0, res[0].payload, evs[0].event_id, &nw);
    CHECK(t && !strstr(t, "\"note\"") && !strstr(t, "\"topic\""));
    CHECK(t && strstr(t, "\"code\":\"blue\"") && strstr(t, "\"page_title\":\"Visiting hours\""));
    CHECK_INT(nw.removed, 2);
    CHECK(strstr(nw.note, "params.note (phi: drop (redacted under the policy of its acceptance))"));
    CHECK(strstr(nw.note, "params.topic (guard: "));
    /* a string with PHI the engine of acceptance did not know (a --vocab term added since) */
    const char *edited =
        "{\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Schedule\","
        "\"time\":1700000000000,\"page_title\":\"cancer center\",\"params\":{\"note\":"
        "\"about diabetes\",\"code\":\"blue\",\"n\":12}}";
    const char *r = narrowed(&a, loose, 0, edited, NULL, &nw);
    CHECK_STR(r, "{\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Schedule\","
                 "\"time\":1700000000000,\"page_title\":\"[HEALTH] center\",\"params\":{"
                 "\"note\":\"about [HEALTH]\",\"code\":\"blue\",\"n\":12}}");
    CHECK_INT(nw.removed, 2);
    r = narrowed(&a, tight, 0, edited, NULL, &nw);
    CHECK_STR(r, "{\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Schedule\","
                 "\"time\":1700000000000,\"params\":{\"code\":\"blue\",\"n\":12}}");
    pw_gw_policy_free(loose);
    pw_gw_policy_free(tight);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(test_same_policy_changes_nothing),
             PW_TEST(test_tightened_policy_is_what_it_writes), PW_TEST(test_notes_and_dead_reasons),
             PW_TEST(test_phi_verdicts_re_decided))
