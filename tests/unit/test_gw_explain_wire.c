/*
 * test_gw_explain_wire.c — what the policy accepts for a destination (what --explain prints as
 * SENT, and ingest spools) is what that destination's forwarder sends: the payload passes the
 * forwarder's own validation instead of being dead-lettered after the event was answered 200.
 *
 * Found by posting the scanner's flagged values to a live gateway and comparing --explain with
 * the mock's bytes (1 December 2026): GA4 took the policy's word for 100-character values, but
 * the policy checked only params, in bytes, before redaction, while the forwarder checks every
 * string param (the kept page_title too) in characters, as sent. A 150-character title, or a
 * 95-character param that "[HEALTH]" made longer, was SENT in --explain and dead on the wire; a
 * 100-character accented value GA4 takes was dropped.
 */
#include <string.h>
#include <yajl/yajl_tree.h>

#include "forward_internal.h"
#include "gw_policy.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "pw_test.h"

static const char *const ga4_yaml = "site:\n"
                                    "  origins: [https://www.example-hospital.org]\n"
                                    "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                    "destinations:\n"
                                    "  ga4:\n"
                                    "    type: ga4\n"
                                    "    measurement_id: G-TEST\n"
                                    "    api_secret_env: GW_TEST_GA4_SECRET\n"
                                    "    events: {appointment_request: generate_lead}\n"
                                    "    allow_params: [label, note, short]\n"
                                    "    page_url: origin\n"
                                    "    page_title: keep\n"
                                    "    first_party_id: hmac\n"
                                    "    phi: redact\n";

#define NOW_MS 1700000001000LL

static int has_field(const pw_gw_dest_result *r, const char *field, const char *action)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].field, field) == 0)
            return strcmp(r->fields[i].action, action) == 0;
    return 0;
}

/* The GA4 forwarder's verdict on the payload the policy wrote: 0 when it would send it. */
static int forwarder_refuses(const pw_gw_dest_result *r, char *why, size_t cap)
{
    char eb[128];
    yajl_val v = yajl_tree_parse(r->payload, eb, sizeof eb);
    size_t n = 0;
    int bad = !v || pw_fw_ga4_driver.validate(v, NOW_MS, &n, why, cap);
    yajl_tree_free(v);
    return bad;
}

static void test_ga4_lengths_agree(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(ga4_yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    char title[151], label[128], note[256];
    memset(title, 't', 150);
    title[150] = '\0';
    memset(label, 'x', 95); /* 102 characters once "cancer" is "[HEALTH]" */
    strcpy(label + 95, " cancer");
    for (int i = 0; i < 100; i++) /* 100 characters, 200 bytes: GA4 takes it */
        memcpy(note + 2 * i, "\xC3\xA9", 2);
    note[200] = '\0';
    pw_gw_param params[] = {{"label", PW_GW_V_STRING, label, strlen(label)},
                            {"note", PW_GW_V_STRING, note, strlen(note)},
                            {"short", PW_GW_V_STRING, "about cancer", 12}};
    pw_gw_event ev = {0};
    ev.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a";
    ev.name = "appointment_request";
    ev.page_url = "https://www.example-hospital.org/x";
    ev.page_title = title;
    ev.fpid = "fp";
    ev.consent_ads = ev.consent_analytics = 1;
    ev.params = params;
    ev.n_params = 3;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[1];
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, NOW_MS, res, &err), PW_OK);
    CHECK(res[0].accepted);
    char why[256] = "";
    CHECK(res[0].accepted && !forwarder_refuses(&res[0], why, sizeof why));
    if (why[0])
        fprintf(stderr, "forwarder: %s\n", why);
    CHECK(has_field(&res[0], "page_title", "dropped"));
    CHECK(has_field(&res[0], "events[0].params.label", "dropped"));
    CHECK(has_field(&res[0], "events[0].params.note", "sent"));
    CHECK(has_field(&res[0], "events[0].params.short", "redacted"));
    CHECK(res[0].payload && strstr(res[0].payload, "\"short\":\"about [HEALTH]\""));
    /* the audit's map of the fields sent lists neither dropped value */
    CHECK(res[0].fields_json && !strstr(res[0].fields_json, "page_title") &&
          !strstr(res[0].fields_json, "params.label"));
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_ga4_lengths_agree))
