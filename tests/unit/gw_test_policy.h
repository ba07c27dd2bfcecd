/*
 * gw_test_policy.h — TEST-ONLY: a policy of the unit tests parsed as the gateway loads one: the
 * secrets the test policies name are put in the environment first (GW_TEST_SITE_KEY, the site's
 * HMAC key; GW_TEST_META_TOKEN; GW_TEST_GA4_SECRET), then the YAML is parsed as "gateway.yaml"
 * with the secrets resolved. Shared by the policy tests and gw_engine_test.h; and the rule a
 * policy trace gives a field (gw_test_field_rule).
 */
#ifndef GW_TEST_POLICY_H
#define GW_TEST_POLICY_H

#include <stdlib.h>
#include <string.h>

#include "gw_policy.h"

#define GW_TEST_KEY         "0123456789abcdef-site-key"
#define GW_TEST_META_SECRET "secret-token-value"
#define GW_TEST_GA4_VALUE   "secret-ga4-value"

static inline void gw_test_policy_env(void)
{
    setenv("GW_TEST_SITE_KEY", GW_TEST_KEY, 1);
    setenv("GW_TEST_META_TOKEN", GW_TEST_META_SECRET, 1);
    setenv("GW_TEST_GA4_SECRET", GW_TEST_GA4_VALUE, 1);
}

/* yaml parsed with the test secrets; NULL, with err set, when it is refused. */
static inline pw_gw_policy *gw_test_policy_load(const char *yaml, pw_err *err)
{
    gw_test_policy_env();
    pw_gw_policy *p = NULL;
    pw_gw_load_opts o = {.resolve_secrets = 1};
    pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), &o, &p, err);
    return p;
}

/* The rule the policy's trace gives for `field` of a destination's result ("" when the result has
 * no such field: a CHECK_STR against the expected rule then fails and names the field's absence,
 * and strstr on it finds nothing). */
static inline const char *gw_test_field_rule(const pw_gw_dest_result *r, const char *field)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].field, field) == 0)
            return r->fields[i].rule;
    return "";
}

#endif
