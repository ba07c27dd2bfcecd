/*
 * test_gw_normalize.c — Meta's user_data normalisation per its rules, the expected hashes
 * computed with sha256sum (printf '%s' 442079460958 | sha256sum): a phone read in the policy's
 * default_country (a UK number was hashed as 12079460958: any 10 digits got a 1), extension
 * digits left out, capitals of Latin-1 and Latin Extended-A lowered, US state and country names
 * as their codes.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_normalize.h"
#include "gw_policy.h"
#include "gw_test_phi.h"
#include "pw_test.h"

#define H_UK  "35e206e5dec4c89b9e8b71b8c32724a5bb518483ac5a20c6617d738375b3b823" /* 442079460958 */
#define H_US  "d6736136ea896c1bfdc553e0e86e702c70d060d805696ca3e4e9e0961353860a" /* 15551234567 */
#define H_FR  "8a3e7886c9335e82e02299fa3e87b46e2de3b0c63d56003e30a5029394a47661" /* 33612345678 */
#define H_IT  "1f200f081cbff31a573a503814dba23be33cad689cacef18e55de8c7f0e89f5a" /* 390212345678 */
#define H_ELO "36bac2631d17463d569eaf1b869e7bf8d40e4636fd8b2b778ee93f504baf6691" /* élodie */
#define H_LUK "974282d5169583fd089607c615244d5495c50f3be4e9e5274ad64a27dc8ee84e" /* łukasz */
#define H_CA  "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126" /* ca */
#define H_NY  "1b06e2003f8420d6fa42badd8f77ec0f706b976b7a48b13c567dc5a559681683" /* ny */
#define H_GB  "0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677" /* gb */
#define H_DE  "959a45d44e6fcf58361ed004681556fe50129f2109e817dec098c00c9e5d2578" /* de */

static const char *hash(pw_arena *a, const char *key, const char *v, const char *cc)
{
    const char *h = pw_gw_meta_hash_in(a, key, v, strlen(v), cc);
    return h ? h : "(none)";
}

static void test_phone_by_country(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "GB"), H_UK);
    CHECK_STR(hash(&a, "ph", "+44 20 7946 0958", "US"), H_UK);
    CHECK_STR(hash(&a, "ph", "0044 20 7946 0958", "FR"), H_UK);
    CHECK_STR(hash(&a, "ph", "011 44 20 7946 0958", "US"), H_UK);
    /* read as a US number it is no number: not hashed (it was 12079460958) */
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "US"), "(none)");
    CHECK_STR(hash(&a, "ph", "(555) 123-4567 ext. 89", "US"), H_US);
    CHECK_STR(hash(&a, "ph", "555-123-4567 x89", "US"), H_US);
    CHECK_STR(hash(&a, "ph", "1 555 123 4567", "US"), H_US);
    CHECK_STR(hash(&a, "ph", "+1 (555) 123-4567;ext=2", "GB"), H_US);
    CHECK_STR(hash(&a, "ph", "06 12 34 56 78", "FR"), H_FR);
    CHECK_STR(hash(&a, "ph", "02 1234 5678", "IT"), H_IT); /* Italy keeps its 0 */
    CHECK_STR(pw_gw_meta_normalize(&a, "ph", "(555) 123-4567", 14), "15551234567");
    /* the country is matched as strcasecmp matched it: any case, two letters, nothing else */
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "gb"), H_UK);
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "gB"), H_UK);
    CHECK_STR(hash(&a, "ph", "06 12 34 56 78", "Fr"), H_FR);
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "GBR"), "(none)");
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "G"), "(none)");
    CHECK_STR(hash(&a, "ph", "020 7946 0958", ""), "(none)");
    CHECK_STR(hash(&a, "ph", "020 7946 0958", "G\xc2"), "(none)");
    CHECK(pw_gw_country_known("us") && pw_gw_country_known("Za") && pw_gw_country_known("VA"));
    CHECK(!pw_gw_country_known("USA") && !pw_gw_country_known("U") && !pw_gw_country_known("XX") &&
          !pw_gw_country_known(""));
    pw_arena_free(&a);
}

static void test_names_and_places(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(hash(&a, "fn", "ÉLODIE", "US"), H_ELO);
    CHECK_STR(hash(&a, "fn", "Élodie", "US"), H_ELO);
    CHECK_STR(hash(&a, "ln", "ŁUKASZ", "US"), H_LUK);
    CHECK_STR(pw_gw_meta_normalize(&a, "ln", "ŸVES-ÇÀ", 11), "ÿvesçà");
    CHECK_STR(hash(&a, "st", "California", "US"), H_CA);
    CHECK_STR(hash(&a, "st", "CA", "US"), H_CA);
    CHECK_STR(hash(&a, "st", "New York", "US"), H_NY);
    CHECK_STR(hash(&a, "country", "United Kingdom", "US"), H_GB);
    CHECK_STR(hash(&a, "country", "GB", "US"), H_GB);
    CHECK_STR(hash(&a, "country", "Germany", "US"), H_DE);
    CHECK_STR(pw_gw_meta_normalize(&a, "country", "United States of America", 24), "us");
    CHECK_STR(pw_gw_meta_normalize(&a, "st", "Ontario", 7), "ontario"); /* not a US state */
    pw_arena_free(&a);
}

static void test_default_country_loads(void)
{
    static const char *const fmt = "site:\n"
                                   "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                   "  default_country: %s\n"
                                   "destinations:\n"
                                   "  hook:\n"
                                   "    type: webhook\n"
                                   "    url: http://127.0.0.1:9/hook\n"
                                   "    events: {lead: lead}\n"
                                   "    user_data: [ph]\n";
    setenv("GW_TEST_SITE_KEY", "0123456789abcdef-site-key", 1);
    char yaml[512];
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    snprintf(yaml, sizeof yaml, fmt, "gb");
    CHECK_INT(pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, &err), PW_OK);
    CHECK(p && strcmp(p->default_country, "GB") == 0);
    if (p) {
        pw_arena a;
        pw_arena_init(&a, 0);
        pw_gw_param user[] = {{"phone", PW_GW_V_STRING, "020 7946 0958", 13}};
        pw_gw_event ev = {.event_id = "77777777-2222-4333-8444-000000000005",
                          .name = "lead",
                          .consent_ads = 1,
                          .user = user,
                          .n_user = 1};
        pw_gw_dest_result res[1];
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].payload && strstr(res[0].payload, H_UK) != NULL);
        pw_arena_free(&a);
    }
    pw_gw_policy_free(p);
    p = NULL;
    snprintf(yaml, sizeof yaml, fmt, "XX");
    CHECK_INT(pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, &err),
              PW_ERR_INVALID);
    CHECK_STR(err.msg, "gateway.yaml:3:20: site.default_country: expected a two-letter ISO 3166-1 "
                       "code whose calling code this gateway knows (US, CA, GB, IE, FR, DE, ES, "
                       "IT, NL, AU, …: docs/gateway.md)");
    p = NULL;
    snprintf(yaml, sizeof yaml, fmt, "US");
    CHECK_INT(pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, &err), PW_OK);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_phone_by_country), PW_TEST(test_names_and_places),
             PW_TEST(test_default_country_loads))
