/*
 * test_gw_policy_es.c — the gateway with the real PHI engine (gw_phi_detect.c) on events of a
 * Spanish site: an event name that names a condition or a sensitive service in Spanish
 * ("prueba_vih_reservada", "CitaEmbarazo") is refused like its English form, and a Spanish
 * health term in a forwarded parameter of a neutral event ("pagina_vista"), accented or not, is
 * redacted.
 */
#include "gw_engine_test.h"

static const char *const yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  meta:\n"
    "    type: meta\n"
    "    pixel_id: \"42\"\n"
    "    access_token_env: GW_TEST_META_TOKEN\n"
    "    events: {pagina_vista: PageView, prueba_vih_reservada: Lead, CitaEmbarazo: Schedule,\n"
    "             solicitud_aborto: Lead}\n"
    "    allow_params: [nota]\n"
    "    page_url: origin\n"
    "    first_party_id: hmac\n"
    "    phi: redact\n";

static gw_engine E;

static void setup(void)
{
    gw_engine_open(&E, yaml);
}

static pw_gw_event event(const char *name)
{
    pw_gw_event ev = {0};
    ev.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a";
    ev.name = name;
    ev.page_url = "https://www.example-hospital.org/es/";
    ev.client_ip = "203.0.113.77";
    ev.fpid = "fp-123";
    ev.consent_ads = 1;
    ev.consent_analytics = 1;
    return ev;
}

static void test_spanish_event_names_refused(void)
{
    if (!E.token)
        return;
    static const char *const names[] = {"prueba_vih_reservada", "CitaEmbarazo", "solicitud_aborto"};
    pw_arena a;
    pw_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        pw_gw_event ev = event(names[i]);
        pw_gw_dest_result res[1];
        pw_err err = {0};
        CHECK_INT(pw_gw_policy_apply(E.p, &E.phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(!res[0].accepted);
        CHECK_STR(res[0].rule, "event_name.phi: refused (HEALTH)");
    }
    pw_arena_free(&a);
}

/* A Spanish health term in a param is redacted (phi: redact), the rest sent as written. Accented
 * text goes the way of unaccented text (as a form posts it), accents kept: the guard used to drop
 * such a value whole before the engine ran. */
static void test_spanish_param_redacted(void)
{
    if (!E.token)
        return;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"consulta sobre depresion posparto", "\"nota\":\"consulta sobre [HEALTH]\""},
        {"cita para depresi\xC3\xB3n", "\"nota\":\"[CARE_INTENT] para [HEALTH]\""},
        {"C\xC3\xA1ncer de mama", "\"nota\":\"[HEALTH]\""},
        {"Cl\xC3\xADnica: c\xC3\xA1ncer", "\"nota\":\"Cl\xC3\xADnica: [HEALTH]\""},
        /* the same written decomposed (NFD: letter, then U+0301), as some keyboards and macOS
         * file names do: redacted the same way, the marks inside the redacted span */
        {"cita para depresio\xCC\x81n", "\"nota\":\"[CARE_INTENT] para [HEALTH]\""},
        {"Ca\xCC\x81ncer de mama", "\"nota\":\"[HEALTH]\""},
        {"Cli\xCC\x81nica: ca\xCC\x81ncer", "\"nota\":\"Cli\xCC\x81nica: [HEALTH]\""},
    };
    pw_arena a;
    pw_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pw_gw_event ev = event("pagina_vista");
        pw_gw_param params[] = {{"nota", PW_GW_V_STRING, cases[i].in, strlen(cases[i].in)}};
        ev.params = params;
        ev.n_params = 1;
        pw_gw_dest_result res[1];
        pw_err err = {0};
        CHECK_INT(pw_gw_policy_apply(E.p, &E.phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].accepted);
        int ok = res[0].payload && strstr(res[0].payload, cases[i].out) &&
                 strstr(res[0].payload, "PageView") && !strstr(res[0].payload, "ncer") &&
                 !strstr(res[0].payload, "depresi");
        CHECK(ok);
        if (!ok && res[0].payload)
            fprintf(stderr, "  %s\n  payload: %s\n  fields: %s\n", cases[i].in, res[0].payload,
                    res[0].fields_json ? res[0].fields_json : "");
    }
    pw_arena_free(&a);
}

static void teardown(void)
{
    gw_engine_close(&E);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_spanish_event_names_refused),
             PW_TEST(test_spanish_param_redacted), PW_TEST(teardown))
