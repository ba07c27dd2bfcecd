/*
 * test_gw_policy_kind.c — the gateway with the real PHI engine (gw_phi_detect.c) judges a param
 * "name" with the event's other params, as `phiwall redact --format json` and the scanner judge
 * the same JSON object (pw_detect_object_kind): {"name":"Knee Brace","price":"34.99"} is a
 * product's name and is forwarded; a contact's {"name":"Jane Doe","phone":…} and a lone
 * {"name":"Jane Doe"} are a person's and are redacted, to Meta and GA4 alike.
 */
#include "gw_engine_test.h"

static const char *const yaml = "site:\n"
                                "  origins: [https://www.example-hospital.org]\n"
                                "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                "destinations:\n"
                                "  meta:\n"
                                "    type: meta\n"
                                "    pixel_id: \"42\"\n"
                                "    access_token_env: GW_TEST_META_TOKEN\n"
                                "    events: {add_to_cart: AddToCart, contact: Contact}\n"
                                "    allow_params: [name, price, currency, sku]\n"
                                "    page_url: origin\n"
                                "    first_party_id: hmac\n"
                                "    phi: redact\n"
                                "  ga4:\n"
                                "    type: ga4\n"
                                "    measurement_id: G-TEST000000\n"
                                "    api_secret_env: GW_TEST_GA4_SECRET\n"
                                "    events: {add_to_cart: add_to_cart, contact: contact}\n"
                                "    allow_params: [name, price, currency, sku]\n"
                                "    page_url: origin\n"
                                "    first_party_id: hmac\n"
                                "    consent: denied\n"
                                "    phi: redact\n";

static gw_engine E;

static void setup(void)
{
    gw_engine_open(&E, yaml);
}

#define STR(k, v)                               \
    {                                           \
        (k), PW_GW_V_STRING, (v), sizeof(v) - 1 \
    }

/* The event's params as the site sent them, and what both destinations must carry. */
typedef struct kind_case {
    const char *event;
    pw_gw_param params[3];
    size_t n;
    const char *want, *not_want; /* substrings of each payload */
} kind_case;

static void test_name_judged_with_its_object(void)
{
    if (!E.token)
        return;
    static const kind_case cases[] = {
        /* a product: "price" and "sku" say what the object is about */
        {"add_to_cart",
         {STR("name", "Knee Brace"), STR("price", "34.99"), STR("currency", "USD")},
         3,
         "\"name\":\"Knee Brace\"",
         "[NAME]"},
        {"add_to_cart",
         {STR("sku", "KB-100"), STR("name", "Knee Brace")},
         2,
         "\"Knee Brace\"",
         "[NAME]"},
        /* a contact: "phone" is a person's record, whatever else is beside it */
        {"contact",
         {STR("name", "Jane Doe"), STR("phone", "555-0100"), STR("price", "0")},
         3,
         "\"name\":\"[NAME]\"",
         "Jane"},
        /* a lead's value and currency (GA4's generate_lead) are no product's: the name is the
         * visitor's and must not reach Meta or GA4 */
        {"contact",
         {STR("name", "Jane Doe"), STR("currency", "USD")},
         2,
         "\"name\":\"[NAME]\"",
         "Jane"},
        /* alone, "name" is a person's, as before */
        {"contact", {STR("name", "Jane Doe")}, 1, "\"name\":\"[NAME]\"", "Jane"},
        {"add_to_cart", {STR("name", "Knee Brace")}, 1, "\"name\":\"[NAME]\"", "Knee"},
    };
    pw_arena a;
    pw_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pw_gw_event ev = {0};
        ev.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a";
        ev.name = cases[i].event;
        ev.page_url = "https://www.example-hospital.org/shop/";
        ev.fpid = "fp-123";
        ev.consent_ads = 1;
        ev.consent_analytics = 1;
        pw_gw_param params[3];
        memcpy(params, cases[i].params, sizeof params);
        ev.params = params;
        ev.n_params = cases[i].n;
        pw_gw_dest_result res[2];
        pw_err err = {0};
        CHECK_INT(pw_gw_policy_apply(E.p, &E.phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        for (size_t d = 0; d < 2; d++) {
            CHECK(res[d].accepted);
            int ok = res[d].payload && strstr(res[d].payload, cases[i].want) &&
                     !strstr(res[d].payload, cases[i].not_want);
            CHECK(ok);
            if (!ok)
                fprintf(stderr, "  case %zu, %s: %s\n", i, d ? "ga4" : "meta",
                        res[d].payload ? res[d].payload : "(no payload)");
        }
    }
    pw_arena_free(&a);
}

static void teardown(void)
{
    gw_engine_close(&E);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_name_judged_with_its_object), PW_TEST(teardown))
