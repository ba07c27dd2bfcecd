/*
 * test_gw_policy_written.c — an allowed param may not have the name of a field the gateway
 * writes itself into the same object: GA4 got both the client's page_location (a full URL with a
 * patient's name) and the gateway's origin, and --check accepted the policy.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_policy.h"
#include "pw_test.h"

#define SITE "site: {hmac_key_env: GW_TEST_SITE_KEY}\ndestinations:\n"
#define GA4_FMT                                                                         \
    SITE "  ga4:\n    type: ga4\n    measurement_id: G-TEST\n"                          \
         "    api_secret_env: GW_TEST_META_TOKEN\n    events: {page_view: page_view}\n" \
         "    allow_params: [value, %s]\n"
#define META_FMT                                                                         \
    SITE "  meta:\n    type: meta\n    pixel_id: \"1\"\n"                                \
         "    access_token_env: GW_TEST_META_TOKEN\n    events: {page_view: PageView}\n" \
         "    allow_params:\n      - value\n      - %s\n"
#define HOOK_FMT                                                          \
    SITE "  hook:\n    type: webhook\n    url: http://127.0.0.1:9/hook\n" \
         "    events: {page_view: page_view}\n    allow_params: [value, %s]\n"

static pw_status parse(const char *yaml, pw_err *err)
{
    pw_gw_policy *p = NULL;
    pw_status st = pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, err);
    pw_gw_policy_free(p);
    return st;
}

/* The policy of FMT with param P, parsed. */
#define PARSE(FMT, P, err) (snprintf(yaml, sizeof yaml, FMT, (P)), parse(yaml, (err)))

static void test_written_fields_refused(void)
{
    setenv("GW_TEST_SITE_KEY", "0123456789abcdef-site-key", 1);
    setenv("GW_TEST_META_TOKEN", "t", 1);
    pw_err err = {0};
    char yaml[1024];
    static const char *const ga4[] = {"page_location", "page_category", "page_referrer",
                                      "page_title"};
    for (size_t i = 0; i < 4; i++) {
        CHECK_INT(PARSE(GA4_FMT, ga4[i], &err), PW_ERR_INVALID);
        char want[512];
        snprintf(want, sizeof want,
                 "gateway.yaml:8:27: destinations.ga4.allow_params[1]: '%s' is a field the gateway "
                 "writes itself (ga4 params: page_location, page_category, page_referrer, "
                 "page_title); a client's value would be sent beside it",
                 ga4[i]);
        CHECK_STR(err.msg, want);
    }
    static const char *const meta[] = {"content_category", "referrer_origin", "page_title"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(PARSE(META_FMT, meta[i], &err), PW_ERR_INVALID);
        char want[512];
        snprintf(want, sizeof want,
                 "gateway.yaml:10:9: destinations.meta.allow_params[1]: '%s' is a field the "
                 "gateway writes itself (meta custom_data: content_category, referrer_origin, "
                 "page_title); a client's value would be sent beside it",
                 meta[i]);
        CHECK_STR(err.msg, want);
    }
    /* Elsewhere the names are free: Meta has no page_location, the webhook's params are an
     * object of their own. */
    CHECK_INT(PARSE(META_FMT, "page_location", &err), PW_OK);
    CHECK_INT(PARSE(GA4_FMT, "content_category", &err), PW_OK);
    CHECK_INT(PARSE(HOOK_FMT, "page_title", &err), PW_OK);
}

PW_TEST_MAIN(PW_TEST(test_written_fields_refused))
