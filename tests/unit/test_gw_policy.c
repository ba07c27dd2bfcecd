/* test_gw_policy.c — the gateway policy: YAML validation with line:col, each rule, hashing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "gw_policy.h"
#include "gw_prio.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "pw_test.h"

#define KEY GW_TEST_KEY

static const char *const base_yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  meta:\n"
    "    type: meta\n"
    "    pixel_id: \"42\"\n"
    "    access_token_env: GW_TEST_META_TOKEN\n"
    "    events: {page_view: PageView, appointment_request: Schedule, hiv_test_booked: Lead,\n"
    "             newsletter: Cancer_Lead}\n"
    "    allow_params: [value, currency, note, count]\n"
    "    page_url: categories\n"
    "    page_categories: {\"/find-a-doctor*\": find_doctor, \"/\": home}\n"
    "    default_category: other\n"
    "    client_ip: truncate\n"
    "    user_agent: keep\n"
    "    user_data: [em, ph, db]\n"
    "    first_party_id: hmac\n"
    "    phi: redact\n"
    "  ga4:\n"
    "    type: ga4\n"
    "    measurement_id: G-TEST\n"
    "    api_secret_env: GW_TEST_META_TOKEN\n"
    "    events: {page_view: page_view, appointment_request: generate_lead}\n"
    "    allow_params: [value, note]\n"
    "    page_url: origin\n"
    "    first_party_id: hmac\n"
    "    phi: drop\n"
    "  hook:\n"
    "    type: webhook\n"
    "    url: http://127.0.0.1:9/hook\n"
    "    events: {appointment_request: Schedule}\n"
    "    allow_params: [note]\n"
    "    user_data: [em]\n";

/* Expect `yaml` to fail with exactly `msg`. */
static void expect_error(const char *yaml, const char *msg)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK(p == NULL);
    CHECK_STR(err.msg, msg);
    pw_gw_policy_free(p);
}

static void test_validation_errors(void)
{
    expect_error("destinations:\n  meta:\n    type: meta\n    pixel_id: \"1\"\n"
                 "    access_token_env: GW_TEST_META_TOKEN\n    events: {a: Lead}\n"
                 "    allow_params: value\n",
                 "gateway.yaml:7:19: destinations.meta.allow_params: expected a list");
    expect_error(
        "destinations:\n  meta:\n    type: metta\n",
        "gateway.yaml:3:11: destinations.meta.type: expected one of: meta | ga4 | webhook");
    expect_error("site:\n  origin: [x]\n", "gateway.yaml:2:3: site.origin: unknown key");
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n"
                 "    events: {a: Lead}\n    page_url: full\n",
                 "gateway.yaml:6:15: destinations.hook.page_url: expected one of: drop | origin | "
                 "categories");
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n",
                 "gateway.yaml:3:5: destinations.hook: events: required (deny by default: list "
                 "the events to send)");
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n"
                 "    events: {a: \"bad name!\"}\n",
                 "gateway.yaml:5:17: destinations.hook.events.a: taxonomy name must be 1-40 "
                 "letters, digits or '_'");
    expect_error("destinations:\n  m:\n    type: meta\n    pixel_id: \"1\"\n"
                 "    access_token_env: GW_TEST_UNSET_VAR\n",
                 "gateway.yaml:5:23: destinations.m.access_token_env: environment variable "
                 "GW_TEST_UNSET_VAR is not set");
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n"
                 "    events: {a: Lead}\n    user_data: [em, ssn]\n",
                 "gateway.yaml:6:21: destinations.hook.user_data[1]: unknown user_data key "
                 "(allowed: em ph fn ln db ge ct st zp country)");
    expect_error("destinations:\n  g:\n    type: ga4\n    measurement_id: G-1\n"
                 "    api_secret_env: GW_TEST_META_TOKEN\n    events: {a: b}\n",
                 "gateway.yaml:1:1: site: hmac_key_file or hmac_key_env: required (destination "
                 "'g' sends an HMAC of the first-party id)");
    expect_error("ingest:\n  max_body: -5\n",
                 "gateway.yaml:2:13: ingest.max_body: expected an integer from 0 to 16777216");
    expect_error("site: [\n", "gateway.yaml:2:1: did not find expected node content while "
                              "parsing a flow node");
    expect_error("", "gateway.yaml:1:1: the file is empty");
    expect_error("destinations:\n  a: {type: webhook, url: https://x, events: {e: E}}\n  a: {}\n",
                 "gateway.yaml:3:3: destinations.a: duplicate key");
    /* Events never cross a network in clear: https://, or http:// to a loopback address. */
    static const char *const clear[] = {"http://hooks.example.org/x", "http://127.0.0.1.evil.com/",
                                        "ftp://x", "http://localhost.evil.com", "x"};
    for (size_t i = 0; i < sizeof clear / sizeof clear[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "destinations:\n  hook:\n    type: webhook\n    url: %s\n    events: {a: L}\n",
                 clear[i]);
        expect_error(yaml, "gateway.yaml:4:10: destinations.hook.url: expected an https:// URL "
                           "(plain http:// only to a loopback address: events must not cross a "
                           "network unencrypted)");
    }
    expect_error("destinations:\n  m:\n    type: meta\n    pixel_id: \"1\"\n"
                 "    access_token_env: GW_TEST_META_TOKEN\n    events: {a: Lead}\n"
                 "    base_url: http://graph.example.com\n",
                 "gateway.yaml:7:15: destinations.m.base_url: expected an https:// URL (plain "
                 "http:// only to a loopback address: events must not cross a network "
                 "unencrypted)");
    static const char *const local[] = {"http://127.0.0.1:9/x", "http://localhost:8080",
                                        "http://[::1]:9/x", "https://hooks.example.org/x"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "destinations:\n  hook:\n    type: webhook\n    url: %s\n    events: {a: L}\n",
                 local[i]);
        pw_err err = {0};
        pw_gw_policy *p = gw_test_policy_load(yaml, &err);
        CHECK(p != NULL);
        pw_gw_policy_free(p);
    }
    expect_error("version: 2\n", "gateway.yaml:1:10: version: expected 1 (the only policy "
                                 "version this phiwall reads)");
}

static void test_load_and_print(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK_INT(p->n_dests, 3);
    CHECK_STR(p->dests[0].dest.access_token, "secret-token-value");
    CHECK_STR(p->dests[0].dest.base_url, "https://graph.facebook.com");
    CHECK_INT(p->dests[0].dest.timeout_ms, 1500);
    CHECK_INT(p->dests[1].dest.kind, PW_DEST_GA4_MP);
    CHECK_INT(p->site_key_len, strlen(KEY));
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_gw_policy_print(p, &b), PW_OK);
    CHECK(strstr(b.data, "appointment_request -> Schedule") != NULL);
    CHECK(strstr(b.data, "credential: from env GW_TEST_META_TOKEN (loaded)") != NULL);
    CHECK(strstr(b.data, "secret-token-value") == NULL); /* never the secret itself */
    CHECK(strstr(b.data, KEY) == NULL);
    pw_buf_free(&b);
    pw_gw_policy_free(p);
}

static void test_meta_hash_vectors(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(pw_gw_meta_hash(&a, "em", " John.Doe@Example.COM ", 22),
              "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f");
    CHECK_STR(pw_gw_meta_normalize(&a, "ph", "(555) 123-4567", 14), "15551234567");
    CHECK_STR(pw_gw_meta_hash(&a, "ph", "+1 555 123 4567", 15),
              "d6736136ea896c1bfdc553e0e86e702c70d060d805696ca3e4e9e0961353860a");
    CHECK_STR(pw_gw_meta_normalize(&a, "db", "1980-02-14", 10), "19800214");
    CHECK_STR(pw_gw_meta_normalize(&a, "db", "02/14/1980", 10), "19800214");
    CHECK_STR(pw_gw_meta_hash(&a, "db", "02/14/1980", 10),
              "cfc0edb1d62cd03fad5220ccdf80f2745a5e41fc9436eedb28540b24b4020609");
    CHECK(pw_gw_meta_normalize(&a, "db", "1980-13-40", 10) == NULL);
    CHECK_STR(pw_gw_meta_hash(&a, "ge", "Female", 6),
              "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111");
    CHECK_STR(pw_gw_meta_hash(&a, "zp", "94107-1234", 10),
              "c884a209ebe08750a7d13db63bd02233b375bd79786cbe329ab11586cc35dead");
    CHECK_STR(pw_gw_meta_hash(&a, "fn", " Mary ", 6),
              "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec");
    CHECK_STR(pw_gw_meta_normalize(&a, "ct", "San Francisco", 13), "sanfrancisco");
    const char *hex = "836F82DB99121B3481011F16B49DFA5FBC714A0D1B1B9F784A1EBBBF5B39577F";
    CHECK_STR(pw_gw_meta_hash(&a, "em", hex, 64),
              "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f");
    CHECK(pw_gw_meta_hash(&a, "em", "not an email", 12) == NULL);
    pw_arena_free(&a);
}

static void test_ip_and_glob(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(pw_gw_ip_truncate(&a, "203.0.113.77"), "203.0.113.0");
    CHECK_STR(pw_gw_ip_truncate(&a, "2001:db8:1234:5678::1"), "2001:db8:1234::");
    /* An IPv4 client seen through a dual-stack socket: its /24, not "::" */
    CHECK_STR(pw_gw_ip_truncate(&a, "::ffff:203.0.113.77"), "203.0.113.0");
    /* 6to4 carries the whole IPv4 address (203.0.113.77 = cb00:714d) inside the /48 */
    CHECK_STR(pw_gw_ip_truncate(&a, "2002:cb00:714d:1::1"), "2002:cb00:7100::");
    CHECK(pw_gw_ip_truncate(&a, "not-an-ip") == NULL);
    CHECK(pw_gw_glob_match("/find-a-doctor*", "/find-a-doctor/smith", 20));
    CHECK(!pw_gw_glob_match("/find-a-doctor*", "/conditions/cancer", 18));
    CHECK(pw_gw_glob_match("/a/*/c", "/a/b/c", 6));
    CHECK(pw_gw_glob_match("/", "/", 1));
    CHECK(!pw_gw_glob_match("/", "/x", 2));
    pw_arena_free(&a);
}

/* ---- applying the policy ---------------------------------------------------------------- */

static pw_gw_event base_event(void)
{
    pw_gw_event ev = {0};
    ev.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a";
    ev.name = "appointment_request";
    ev.page_url =
        "https://www.example-hospital.org/find-a-doctor/jane?q=breast+cancer&mrn=12345678";
    ev.page_title = "Book with Dr. Jane | Oncology";
    ev.referrer = "https://www.google.com/search?q=hiv+clinic";
    ev.client_ip = "203.0.113.77";
    ev.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
    ev.fpid = "fp-123";
    ev.consent_ads = 1; /* the visitor consented (requires_consent: meta ads, ga4 analytics) */
    ev.consent_analytics = 1;
    return ev;
}

static yajl_val parse_payload(const pw_gw_dest_result *r)
{
    char eb[128];
    return r->payload ? yajl_tree_parse(r->payload, eb, sizeof eb) : NULL;
}

static const char *jstr(yajl_val root, const char *a, const char *b, const char *c)
{
    const char *path[] = {a, b, c, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    return v ? v->u.string : NULL;
}

static void test_apply_meta_shape(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event ev = base_event();
    pw_gw_param params[] = {{"value", PW_GW_V_NUMBER, "120.5", 5},
                            {"note", PW_GW_V_STRING, "follow-up on cancer screening", 29},
                            {"count", PW_GW_V_NUMBER, "5551234567", 10},
                            {"diagnosis", PW_GW_V_STRING, "diabetes", 8}};
    pw_gw_param user[] = {{"email", PW_GW_V_STRING, "John.Doe@Example.com", 20},
                          {"phone", PW_GW_V_STRING, "555-123-4567", 12},
                          {"last_name", PW_GW_V_STRING, "Smith", 5}};
    ev.params = params;
    ev.n_params = 4;
    ev.user = user;
    ev.n_user = 3;
    ev.consent_ads = 1;
    ev.time_ms = 1700000000123;
    pw_gw_dest_result res[3];
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000001000, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK_STR(res[0].out_name, "Schedule");
    yajl_val m = parse_payload(&res[0]);
    CHECK(m != NULL);
    CHECK_STR(jstr(m, "event_name", NULL, NULL), "Schedule");
    CHECK_STR(jstr(m, "action_source", NULL, NULL), "website");
    CHECK_STR(jstr(m, "event_id", NULL, NULL), ev.event_id);
    CHECK_STR(jstr(m, "event_source_url", NULL, NULL), "https://www.example-hospital.org/");
    CHECK_STR(jstr(m, "custom_data", "content_category", NULL), "find_doctor");
    CHECK_STR(jstr(m, "custom_data", "note", NULL), "follow-up on [HEALTH] screening");
    CHECK(jstr(m, "custom_data", "diagnosis", NULL) == NULL); /* not allowed */
    const char *cnt[] = {"custom_data", "count", NULL};
    CHECK(yajl_tree_get(m, cnt, yajl_t_any) == NULL); /* number with PHI: dropped */
    const char *val[] = {"custom_data", "value", NULL};
    yajl_val v = yajl_tree_get(m, val, yajl_t_number);
    CHECK(v && strcmp(v->u.number.r, "120.5") == 0);
    const char *et[] = {"event_time", NULL};
    v = yajl_tree_get(m, et, yajl_t_number);
    CHECK(v && v->u.number.i == 1700000000);
    CHECK_STR(jstr(m, "user_data", "em", NULL),
              "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f");
    CHECK_STR(jstr(m, "user_data", "ph", NULL),
              "d6736136ea896c1bfdc553e0e86e702c70d060d805696ca3e4e9e0961353860a");
    CHECK(jstr(m, "user_data", "ln", NULL) == NULL); /* not in user_data list */
    /* HMAC-SHA256(site key, "meta\0fp-123"): a pseudonym for this destination only */
    CHECK_STR(jstr(m, "user_data", "external_id", NULL),
              "c82b1ed73152f7b3da509aeb33ab9a1e02c93181f96e9a6f0f828663a514594d");
    CHECK_STR(jstr(m, "user_data", "client_ip_address", NULL), "203.0.113.0");
    CHECK_STR(jstr(m, "user_data", "client_user_agent", NULL), ev.user_agent);
    /* Nothing of the query string, the title, the referrer or the raw user data. */
    CHECK(strstr(res[0].payload, "12345678") == NULL);
    CHECK(strstr(res[0].payload, "breast") == NULL);
    CHECK(strstr(res[0].payload, "Oncology") == NULL);
    CHECK(strstr(res[0].payload, "google") == NULL);
    CHECK(strstr(res[0].payload, "Smith") == NULL);
    CHECK(strstr(res[0].payload, "John") == NULL);
    CHECK(strstr(res[0].payload, "203.0.113.77") == NULL);
    CHECK(strstr(res[0].fields_json, "\"user_data.em\":") != NULL);
    CHECK(strstr(res[0].fields_json, "\"custom_data.note\":\"phi: redact (HEALTH)\"") != NULL);
    CHECK(res[0].redacted >= 2);
    yajl_tree_free(m);

    /* GA4: consent denied, client_id HMAC, no user data, origin only, PHI string dropped. */
    CHECK(res[1].accepted);
    yajl_val g = parse_payload(&res[1]);
    CHECK(g != NULL);
    /* HMAC-SHA256(site key, "ga4\0fp-123"): not Meta's external_id, so they cannot be joined */
    CHECK_STR(jstr(g, "client_id", NULL, NULL),
              "aea67694d3b61d85cf717b8c8396c8d3f9a7aeb5616051dfd66aa20049fdaa7e");
    CHECK_STR(jstr(g, "consent", "ad_user_data", NULL), "DENIED");
    CHECK_STR(jstr(g, "consent", "ad_personalization", NULL), "DENIED");
    const char *ev0[] = {"events", NULL};
    yajl_val arr = yajl_tree_get(g, ev0, yajl_t_array);
    CHECK(arr && arr->u.array.len == 1);
    if (arr && arr->u.array.len == 1) {
        yajl_val e0 = arr->u.array.values[0];
        CHECK_STR(jstr(e0, "name", NULL, NULL), "generate_lead");
        CHECK_STR(jstr(e0, "params", "page_location", NULL), "https://www.example-hospital.org");
        CHECK(jstr(e0, "params", "note", NULL) == NULL); /* phi: drop */
    }
    CHECK(strstr(res[1].payload, "\"user_data\"") == NULL);
    CHECK(strstr(res[1].payload, "836f82db") == NULL);
    yajl_tree_free(g);

    /* Webhook: no page URL (default drop), user data hashed. */
    CHECK(res[2].accepted);
    CHECK(strstr(res[2].payload, "\"name\":\"Schedule\"") != NULL);
    CHECK(strstr(res[2].payload, "page_origin") == NULL);
    CHECK(strstr(res[2].payload, "836f82db99121b34") != NULL);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

static void test_apply_denials(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = base_event();

    ev.name = "patient_portal_login"; /* not listed anywhere */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    for (int i = 0; i < 3; i++) {
        CHECK(!res[i].accepted);
        CHECK(res[i].payload == NULL);
        CHECK_STR(res[i].rule, "deny_by_default: event name not in events");
    }
    ev.name = "hiv_test_booked"; /* listed, but the name itself reveals a condition */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(!res[0].accepted);
    CHECK_STR(res[0].rule, "event_name.phi: refused (HEALTH)");
    ev.name = "newsletter"; /* the configured taxonomy name is refused too */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(!res[0].accepted);
    CHECK_STR(res[0].rule, "event_name.phi: refused (HEALTH)");

    /* User data without the visitor's consent: dropped, even though the policy allows em. */
    ev.name = "appointment_request";
    pw_gw_param user[] = {{"email", PW_GW_V_STRING, "john.doe@example.com", 20}};
    ev.user = user;
    ev.n_user = 1;
    ev.consent_ads = 0;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    /* Meta requires consent.ads: not sent at all; the webhook (requires none) gets no user data */
    CHECK(!res[0].accepted);
    CHECK_STR(res[0].rule, "requires_consent: ads (the visitor did not consent to ads)");
    CHECK(res[2].accepted);
    CHECK(strstr(res[2].payload, "\"em\"") == NULL);
    CHECK(strstr(res[2].payload, "836f82db") == NULL);
    int saw = 0;
    for (size_t i = 0; i < res[2].n_fields; i++)
        saw |= strcmp(res[2].fields[i].rule, "user_data: no visitor consent (consent.ads)") == 0;
    CHECK(saw);
    ev.consent_ads = 1;

    /* A page outside site.origins: no URL at all; off-list paths fall to default_category. */
    ev.page_url = "https://evil.example.net/x";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(strstr(res[0].payload, "evil") == NULL);
    CHECK(strstr(res[0].payload, "event_source_url") == NULL);
    ev.page_url = "https://www.example-hospital.org/conditions/breast-cancer";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(strstr(res[0].payload, "\"content_category\":\"other\"") != NULL);
    CHECK(strstr(res[0].payload, "breast") == NULL);

    /* Without a first-party id GA4 still gets a client_id: the HMAC of the event id. */
    ev.fpid = NULL;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(strstr(res[1].payload,
                 "8b6c28f592f8195182b1fca6087c29b7f2cda06d5ec276e334cd7f85cddc3c95") != NULL);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* An identifier sent as a number in exponent notation (1.234567e6 is 1234567) or split by a
 * decimal point (123.4567: 4+ decimals, 7+ significant digits, no amount's shape) is dropped
 * like the plain 7+ digit run; ordinary amounts (2 or 3 decimals), plain or in short exponent
 * form, and short fractions are sent. */
static void test_apply_number_spellings(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    static const struct {
        const char *num;
        int sent;
    } cases[] = {{"1.234567e6", 0},    {"123.4567E4", 0}, {"-1234567e0", 0}, {"1.234567e-1", 0},
                 {"00012.34567e5", 0}, {"120.5", 1},      {"1.5e2", 1},      {"12345.67", 1},
                 {"0.000001e3", 1},    {"123.4567", 0},   {"12.34567", 0},   {"-1.234567", 0},
                 {"40.712776", 0},     {"123.4000", 0},   {"1234.567", 1},   {"99999.99", 1},
                 {"0.123456", 1},      {"3.14159", 1},    {"0.0012", 1},     {"1234567.5", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pw_gw_event ev = base_event();
        pw_gw_param params[] = {{"value", PW_GW_V_NUMBER, cases[i].num, strlen(cases[i].num)}};
        ev.params = params;
        ev.n_params = 1;
        pw_gw_dest_result res[3];
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].accepted);
        int has = res[0].payload && strstr(res[0].payload, cases[i].num) != NULL;
        if (has != cases[i].sent)
            fprintf(stderr, "value %s: sent %d, expected %d\n", cases[i].num, has, cases[i].sent);
        CHECK(has == cases[i].sent);
        if (!cases[i].sent)
            CHECK(res[0].fields_json &&
                  strstr(res[0].fields_json, "\"custom_data.value\"") == NULL);
    }
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* Meta takes no event without a user_data key: a policy that leaves none refuses the event at
 * ingest, with the reason, instead of spooling it for Meta to reject. */
static void test_apply_unsendable(void)
{
    static const char *const bare_yaml = "site:\n"
                                         "  origins: [https://www.example-hospital.org]\n"
                                         "destinations:\n"
                                         "  meta:\n"
                                         "    type: meta\n"
                                         "    pixel_id: \"42\"\n"
                                         "    access_token_env: GW_TEST_META_TOKEN\n"
                                         "    events: {page_view: PageView}\n"
                                         "    user_data: [em]\n";
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(bare_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[1];
    pw_gw_event ev = base_event();
    ev.name = "page_view";
    ev.n_user = 0;
    ev.consent_ads = 1; /* consent, but nothing the policy lets through */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(!res[0].accepted);
    CHECK(res[0].payload == NULL);
    CHECK(res[0].rule && strstr(res[0].rule, "meta: no user_data left") != NULL);
    /* with the visitor's consent and an email, the same event goes */
    pw_gw_param user[] = {{"email", PW_GW_V_STRING, "john.doe@example.com", 20}};
    ev.user = user;
    ev.n_user = 1;
    ev.consent_ads = 1;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK(res[0].payload && strstr(res[0].payload, "\"em\"") != NULL);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

static void test_example_config_loads(void)
{
    setenv("PHIWALL_SITE_KEY", KEY, 1);
    setenv("PHIWALL_META_TOKEN", "t", 1);
    setenv("PHIWALL_GA4_SECRET", "s", 1);
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    CHECK_INT(pw_gw_policy_load(PW_SRC_DIR "/contrib/gateway.example.yaml", &p, &err), PW_OK);
    if (!p) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK_INT(p->n_dests, 2);
    CHECK_INT(p->dests[0].page_url, PW_GW_URL_CATEGORIES);
    pw_gw_policy_free(p);
}

/* delivery: the delivery threads' priority; bad values name the line and column. */
static void test_delivery_config(void)
{
    expect_error("delivery:\n  nice: 20\n",
                 "gateway.yaml:2:9: delivery.nice: expected an integer from 0 to 19");
    expect_error("delivery:\n  nice: -1\n",
                 "gateway.yaml:2:9: delivery.nice: expected an integer from 0 to 19");
    expect_error("delivery:\n  nice: 5\n  priority: low\n",
                 "gateway.yaml:3:3: delivery.priority: unknown key");
    expect_error(
        "delivery:\n  boost_lag_ms: soon\n",
        "gateway.yaml:2:17: delivery.boost_lag_ms: expected an integer from 0 to 86400000");
    expect_error("delivery: 5\n", "gateway.yaml:1:11: delivery: expected a mapping");
    expect_error("delivery:\n  nice: 3\n  nice: 4\n",
                 "gateway.yaml:3:3: delivery.nice: duplicate key");

    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err); /* no delivery section: the defaults */
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->delivery_nice, PW_GW_DELIVERY_NICE_DEFAULT);
        CHECK_INT(p->delivery_boost_lag_ms, PW_GW_DELIVERY_BOOST_LAG_DEFAULT);
    }
    pw_gw_policy_free(p);

    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%sdelivery:\n  nice: 7\n  boost_lag_ms: 250\n", base_yaml);
    p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->delivery_nice, 7);
    CHECK_INT(p->delivery_boost_lag_ms, 250);
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_gw_policy_print(p, &b), PW_OK);
    CHECK(strstr(b.data, "delivery:\n    nice: 7 (forwarders and audit writer below ingest)\n"
                         "    boost_lag_ms: 250 ") != NULL);
    pw_buf_free(&b);
    pw_gw_policy_free(p);

    snprintf(yaml, sizeof yaml, "%sdelivery: {nice: 0}\n", base_yaml);
    p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_buf_init(&b);
    CHECK_INT(pw_gw_policy_print(p, &b), PW_OK);
    CHECK(strstr(b.data, "    nice: 0 (delivery at the process's priority)\n") != NULL);
    pw_buf_free(&b);
    pw_gw_policy_free(p);
}

/* hold: a per-destination delivery hold; a bad value names line and column; --check prints it
 * for the held destination only. */
static void test_hold_config(void)
{
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n"
                 "    events: {a: Lead}\n    hold: yes\n",
                 "gateway.yaml:6:11: destinations.hook.hold: expected one of: false | true");
    expect_error("destinations:\n  hook:\n    type: webhook\n    url: https://x\n"
                 "    events: {a: Lead}\n    hold: [true]\n",
                 "gateway.yaml:6:11: destinations.hook.hold: expected a scalar value");
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    for (size_t i = 0; p && i < p->n_dests; i++)
        CHECK_INT(p->dests[i].dest.hold, 0); /* default: delivered */
    pw_gw_policy_free(p);

    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s    hold: true\n", base_yaml); /* the last one: hook */
    p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->dests[0].dest.hold, 0);
    CHECK_INT(p->dests[2].dest.hold, 1);
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_gw_policy_print(p, &b), PW_OK);
    const char *line = "    hold: true (events accepted and spooled; nothing delivered until a "
                       "reload lifts the hold)\n";
    const char *at = strstr(b.data, line);
    CHECK(at != NULL && strstr(b.data, "  hook:\n") < at);
    CHECK(at && strstr(at + 1, line) == NULL); /* meta and ga4 are not held */
    pw_buf_free(&b);
    pw_gw_policy_free(p);
}

/* A page category is sent verbatim next to the visitor's hashed identifiers: one that reveals a
 * condition refuses the policy when it is prepared (load, reload, --check), naming the line and
 * column; an unprepared policy still never sends it (the category passes the engine). */
static const char *const hiv_category_yaml = "site:\n"
                                             "  origins: [https://www.example-hospital.org]\n"
                                             "destinations:\n"
                                             "  meta:\n"
                                             "    type: meta\n"
                                             "    pixel_id: \"42\"\n"
                                             "    access_token_env: GW_TEST_META_TOKEN\n"
                                             "    events: {appointment_request: Schedule}\n"
                                             "    user_data: [em]\n"
                                             "    page_url: categories\n"
                                             "    page_categories:\n"
                                             "      \"/find-a-doctor*\": find_doctor\n"
                                             "      \"/conditions/hiv*\": hiv_patients\n"
                                             "    default_category: other\n";

static void expect_prepare_error(const char *yaml, const char *msg)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL); /* the YAML itself is well-formed */
    if (!p)
        return;
    CHECK_INT(pw_gw_policy_prepare(p, &gw_test_phi, &err), PW_ERR_INVALID);
    CHECK_STR(err.msg, msg);
    CHECK(!p->prepared);
    pw_gw_policy_free(p);
}

static void test_category_phi_refused(void)
{
    expect_prepare_error(hiv_category_yaml,
                         "gateway.yaml:13:27: destinations.meta.page_categories./conditions/hiv*: "
                         "category 'hiv_patients' hits the PHI engine (HEALTH: condition): it "
                         "would disclose health context or an identifier with every event; use "
                         "a neutral category (e.g. other)");
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s", hiv_category_yaml);
    char *at = strstr(yaml, "hiv_patients");
    memcpy(at, "clinic_12", 9);
    memmove(at + 9, at + 12, strlen(at + 12) + 1);
    at = strstr(yaml, "default_category: other");
    snprintf(at, sizeof yaml - (size_t)(at - yaml), "default_category: cancer_care\n");
    expect_prepare_error(yaml, "gateway.yaml:14:23: destinations.meta.default_category: category "
                               "'cancer_care' hits the PHI engine (HEALTH: condition): it would "
                               "disclose health context or an identifier with every event; use a "
                               "neutral category (e.g. other)");

    /* Neutral categories and care intent ("appointment_booking") stay. */
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(pw_gw_policy_prepare(p, &gw_test_phi, &err), PW_OK);
    pw_gw_policy_free(p);
    snprintf(yaml, sizeof yaml, "%s", hiv_category_yaml);
    at = strstr(yaml, "hiv_patients");
    snprintf(at, sizeof yaml - (size_t)(at - yaml), "appointment_booking\n");
    p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(pw_gw_policy_prepare(p, &gw_test_phi, &err), PW_OK);
    pw_gw_policy_free(p);
}

static int has_trace(const pw_gw_dest_result *r, const char *field, const char *action,
                     const char *rule)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].field, field) == 0 && strcmp(r->fields[i].action, action) == 0 &&
            strcmp(r->fields[i].rule, rule) == 0)
            return 1;
    return 0;
}

static void test_category_phi_at_apply(void)
{
    pw_err err = {0};
    pw_gw_policy *p =
        gw_test_policy_load(hiv_category_yaml, &err); /* not prepared: apply is the last guard */
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[1];
    pw_gw_event ev = base_event();
    pw_gw_param user[] = {{"email", PW_GW_V_STRING, "john.doe@example.com", 20}};
    ev.user = user;
    ev.n_user = 1;
    ev.consent_ads = 1;
    ev.page_url = "https://www.example-hospital.org/conditions/hiv-testing";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK(res[0].payload && strstr(res[0].payload, "hiv") == NULL);
    CHECK(res[0].payload && strstr(res[0].payload, "content_category") == NULL);
    CHECK(has_trace(&res[0], "page_category", "dropped", "page_category.phi: refused (HEALTH)"));
    CHECK(strstr(res[0].fields_json, "hiv") == NULL);
    ev.page_url = "https://www.example-hospital.org/find-a-doctor/x";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload && strstr(res[0].payload, "\"content_category\":\"find_doctor\""));
    CHECK(has_trace(&res[0], "page_category", "sent",
                    "page_categories: /find-a-doctor* (PHI engine: clean)"));
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* The event's own time is sent when the destination still takes it; an older event is refused
 * for that destination (never re-dated to now); no time, or one ahead of the receipt, becomes
 * the receipt time; the trace says which. */
static void test_event_time(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(base_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = base_event();
    pw_gw_param user[] = {{"email", PW_GW_V_STRING, "john.doe@example.com", 20}};
    ev.user = user;
    ev.n_user = 1;
    ev.consent_ads = 1;
    const int64_t now = 1700000000000, hour = 3600 * 1000;

    ev.time_ms = now - 365 * 24 * hour; /* a year-old conversion */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(!res[0].accepted && res[0].payload == NULL);
    CHECK_STR(res[0].rule, "event_time: older than 6 days (Meta rejects events older than 7): "
                           "refused, not re-dated");
    CHECK(!res[1].accepted);
    CHECK_STR(res[1].rule, "event_time: older than 72 h (GA4's limit): refused, not re-dated");
    CHECK(!res[2].accepted);
    CHECK_STR(res[2].rule, "event_time: older than 7 days: refused, not re-dated");
    ev.time_ms = 1; /* the epoch */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(!res[0].accepted && !res[1].accepted && !res[2].accepted);

    ev.time_ms = now - 5 * 24 * hour; /* Meta still takes it, with its own time; GA4 does not */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK(res[0].payload && strstr(res[0].payload, "\"event_time\":1699568000,") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "event_time"),
              "event_time: the event's own time (within 6 days)");
    CHECK(!res[1].accepted);
    CHECK(res[2].accepted);

    ev.time_ms = now - 2 * hour - 123;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(res[0].accepted && res[1].accepted);
    CHECK(res[0].payload && strstr(res[0].payload, "\"event_time\":1699992799,") != NULL);
    CHECK(res[1].payload &&
          strstr(res[1].payload, "\"timestamp_micros\":1699992799877000,") != NULL);
    CHECK_STR(gw_test_field_rule(&res[1], "event_time"),
              "event_time: the event's own time (within 72 h)");

    ev.time_ms = now + 30 * 1000; /* clock skew */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(res[0].accepted && strstr(res[0].payload, "\"event_time\":1700000000,") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "event_time"),
              "event_time: receipt time (the event's time is up to 60 s ahead: clock skew)");
    ev.time_ms = now + 24 * hour; /* a client clock a day ahead: it arrived now */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(res[0].accepted && strstr(res[0].payload, "\"event_time\":1700000000,") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "event_time"),
              "event_time: receipt time (the event's time is over 60 s ahead: client clock)");
    ev.time_ms = 0; /* none */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, now, res, &err), PW_OK);
    CHECK(res[0].accepted && strstr(res[0].payload, "\"event_time\":1700000000,") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "event_time"),
              "event_time: receipt time (the event has none)");
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_validation_errors), PW_TEST(test_load_and_print),
             PW_TEST(test_delivery_config), PW_TEST(test_hold_config),
             PW_TEST(test_meta_hash_vectors), PW_TEST(test_ip_and_glob),
             PW_TEST(test_apply_meta_shape), PW_TEST(test_apply_denials),
             PW_TEST(test_apply_unsendable), PW_TEST(test_apply_number_spellings),
             PW_TEST(test_example_config_loads), PW_TEST(test_category_phi_refused),
             PW_TEST(test_category_phi_at_apply), PW_TEST(test_event_time))
