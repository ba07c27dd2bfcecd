/*
 * test_gw_policy_host.c — referrer hosts whose words run together: with referrer_origins "*",
 * www.hivclinic.com, www.methadoneclinic.com, www.aidsmap.com, www.plannedparenthood.org and
 * www.alz.org were sent (the engine reads a host only at its dots and dashes). They are dropped;
 * ordinary referrers and words that merely hold a term are not.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_policy.h"
#include "gw_policy_host.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "phiwall/decode.h"
#include "pw_test.h"

static void test_host_rule(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    struct {
        const char *host, *why;
    } cases[] = {
        {"www.hivclinic.com", "term 'hivclinic'"},
        {"www.methadoneclinic.com", "term 'methadoneclinic'"},
        {"www.aidsmap.com", "organisation 'aidsmap.com'"},
        {"aidsmap.net", "term and care word 'aidsmap'"},
        {"hivhelp.org", "term and care word 'hivhelp'"},
        {"www.plannedparenthood.org", "organisation 'plannedparenthood.org'"},
        {"www.alz.org", "organisation 'alz.org'"},
        {"mycancercoach.com", "term 'cancer' in 'mycancercoach'"},
        {"my-cancer-coach.co.uk", "term 'cancer' in 'mycancercoach'"},
        {"hiv.gov", "term 'hiv'"},
        /* ordinary referrers, and words that hold a term or a short one */
        {"www.google.com", NULL},
        {"google.com", NULL},
        {"www.facebook.com", NULL},
        {"bing.com", NULL},
        {"duckduckgo.com", NULL},
        {"ambientweather.net", NULL}, /* Ambien */
        {"gamepressure.com", NULL},   /* Essure */
        {"photospecialist.de", NULL}, /* Cialis */
        {"hivemind.io", NULL},        /* hiv + emind */
        {"raids.com", NULL},          /* r + aids */
        {"aa.com", NULL},             /* not aa.org */
        {"localhost", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* the caller passes the registrable domain (it needs it for the subdomain rule too) */
        const char *why = pw_gw_host_sensitive(&a, pw_registrable_domain(&a, cases[i].host));
        if (cases[i].why)
            CHECK_STR(why ? why : "(passed)", cases[i].why);
        else
            CHECK_STR(why ? why : "(passed)", "(passed)");
    }
    /* The generated table is sorted (the lookup is a binary search). */
    for (size_t i = 1; i < pw_gw_n_host_terms; i++)
        CHECK(strcmp(pw_gw_host_terms[i - 1], pw_gw_host_terms[i]) < 0);
    pw_arena_free(&a);
}

static const char *const yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  hook:\n"
    "    type: webhook\n"
    "    url: http://127.0.0.1:9/hook\n"
    "    events: {appointment_request: lead}\n"
    "    referrer: origin\n"
    "    referrer_origins: [\"*\", https://www.plannedparenthood.org]\n";

static void test_referrer_dropped(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK_STR(err.msg, "");
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event ev = {.event_id = "77777777-2222-4333-8444-000000000004",
                      .name = "appointment_request"};
    pw_gw_dest_result res[1];
    ev.referrer = "https://www.methadoneclinic.com/locations";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload && strstr(res[0].payload, "referrer_origin") == NULL);
    int traced = 0;
    for (size_t i = 0; i < res[0].n_fields; i++)
        traced |= strcmp(res[0].fields[i].rule,
                         "referrer: host names a sensitive condition or organisation (term "
                         "'methadoneclinic'): dropped") == 0;
    CHECK(traced);
    ev.referrer = "https://www.google.com/search?q=x";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload &&
          strstr(res[0].payload, "\"referrer_origin\":\"https://www.google.com\"") != NULL);
    /* An origin the operator lists by name is the operator's choice. */
    ev.referrer = "https://www.plannedparenthood.org/";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload && strstr(res[0].payload, "plannedparenthood") != NULL);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_host_rule), PW_TEST(test_referrer_dropped))
