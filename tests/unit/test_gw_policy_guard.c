/*
 * test_gw_policy_guard.c — the reviewer's defects, each fixed: foreign referrer hosts that name
 * a condition or a person, consent enforced per destination, one pseudonym per destination,
 * GA4 names refused at load, and the fail-closed guard against evasions of the PHI engine.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_explain.h"
#include "gw_policy.h"
#include "gw_policy_guard.h"
#include "gw_test_guard.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "pw_test.h"

#define KEY GW_TEST_KEY

static const char *const yaml_fmt = "site:\n"
                                    "  origins: [https://www.example-hospital.org]\n"
                                    "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                    "destinations:\n"
                                    "  meta:\n"
                                    "    type: meta\n"
                                    "    pixel_id: \"42\"\n"
                                    "    access_token_env: GW_TEST_META_TOKEN\n"
                                    "    events: {appointment_request: Schedule}\n"
                                    "    allow_params: [note]\n"
                                    "    referrer: origin\n"
                                    "%s"
                                    "    client_ip: truncate\n"
                                    "    user_agent: keep\n"
                                    "    first_party_id: hmac\n"
                                    "    phi: redact\n"
                                    "  ga4:\n"
                                    "    type: ga4\n"
                                    "    measurement_id: G-TEST\n"
                                    "    api_secret_env: GW_TEST_META_TOKEN\n"
                                    "    events: {appointment_request: generate_lead}\n"
                                    "    allow_params: [note]\n"
                                    "    first_party_id: hmac\n"
                                    "  hook:\n"
                                    "    type: webhook\n"
                                    "    url: http://127.0.0.1:9/hook\n"
                                    "    events: {appointment_request: Schedule}\n"
                                    "    allow_params: [note]\n"
                                    "    first_party_id: hmac\n";

static pw_gw_policy *load_with(const char *meta_extra, pw_err *err)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, yaml_fmt, meta_extra);
    return gw_test_policy_load(yaml, err);
}

static pw_gw_event consented_event(void)
{
    pw_gw_event ev = {0};
    ev.event_id = "77777777-2222-4333-8444-000000000002";
    ev.name = "appointment_request";
    ev.fpid = "x";
    ev.consent_ads = ev.consent_analytics = 1;
    ev.client_ip = "203.0.113.9";
    ev.user_agent = "Mozilla/5.0";
    return ev;
}

/* 1. A foreign referrer's host is read as words; a condition in it drops the origin. */
static void test_referrer_hosts(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("    referrer_origins: [\"*\"]\n", &err);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    static const char *const bad[] = {"https://www.hiv-clinic.org/results?mrn=1",
                                      "https://www.cancer.org/", "https://jane.doe.example.com/",
                                      "https://www.xn--hv-jbc.org/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ev.referrer = bad[i];
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].accepted);
        CHECK(res[0].payload && strstr(res[0].payload, "referrer_origin") == NULL);
        CHECK(strstr(gw_test_field_rule(&res[0], "referrer"), "dropped") != NULL ||
              strstr(gw_test_field_rule(&res[0], "referrer"), "refused") != NULL);
    }
    ev.referrer = "https://www.hiv-clinic.org/";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK_STR(gw_test_field_rule(&res[0], "referrer"),
              "referrer: host names health context or a person (HEALTH): dropped");
    ev.referrer = "https://jane.doe.example.com/";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK_STR(gw_test_field_rule(&res[0], "referrer"),
              "referrer: a subdomain not in referrer_origins (it may name a person): dropped");
    ev.referrer = "https://www.google.com/search?q=hiv";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload &&
          strstr(res[0].payload, "\"referrer_origin\":\"https://www.google.com\"") != NULL);
    pw_gw_policy_free(p);

    /* Without "*" (the default): only site.origins and the listed origins. */
    p = load_with("    referrer_origins: [https://www.bing.com]\n", &err);
    CHECK(p != NULL);
    if (p) {
        ev.referrer = "https://www.google.com/search?q=x";
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].payload && strstr(res[0].payload, "referrer_origin") == NULL);
        CHECK_STR(gw_test_field_rule(&res[0], "referrer"),
                  "referrer: origin not in site.origins or referrer_origins");
        ev.referrer = "https://www.bing.com/search?q=x";
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].payload &&
              strstr(res[0].payload, "\"referrer_origin\":\"https://www.bing.com\"") != NULL);
    }
    pw_gw_policy_free(p);
    pw_gw_policy *bad_p = load_with("    referrer_origins: [https://x.org/path]\n", &err);
    CHECK(bad_p == NULL);
    CHECK_STR(err.msg, "gateway.yaml:12:24: destinations.meta.referrer_origins[0]: expected an "
                       "origin (https://host[:port], no path) or \"*\"");
    /* "*" alone, as docs/gateway.md writes it, is the same as ["*"]; another scalar is not. */
    pw_gw_policy *star = load_with("    referrer_origins: \"*\"\n", &err);
    CHECK(star != NULL && star->dests[0].referrer_any == 1);
    pw_gw_policy_free(star);
    pw_gw_policy *one = load_with("    referrer_origins: https://www.bing.com\n", &err);
    CHECK(one == NULL);
    CHECK_STR(err.msg, "gateway.yaml:12:23: destinations.meta.referrer_origins: expected a list");
    pw_arena_free(&a);
}

/* 2. Consent: Meta needs consent.ads, GA4 consent.analytics; an ad destination gets no
 * identifier without consent.ads even when requires_consent is relaxed. */
static void test_consent(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("", &err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->dests[0].requires_consent, PW_GW_CONSENT_ADS);
    CHECK_INT(p->dests[1].requires_consent, PW_GW_CONSENT_ANALYTICS);
    CHECK_INT(p->dests[2].requires_consent, PW_GW_CONSENT_NONE);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    ev.consent_ads = 0;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(!res[0].accepted && res[0].payload == NULL);
    CHECK_STR(res[0].rule, "requires_consent: ads (the visitor did not consent to ads)");
    CHECK(res[1].accepted && res[2].accepted);
    ev.consent_ads = 1;
    ev.consent_analytics = 0;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].accepted);
    CHECK(!res[1].accepted && res[1].payload == NULL);
    CHECK_STR(res[1].rule,
              "requires_consent: analytics (the visitor did not consent to analytics)");
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_gw_policy_print(p, &b), PW_OK);
    CHECK(strstr(b.data, "requires_consent: ads (not sent without the visitor's consent.ads)"));
    CHECK(strstr(b.data, "requires_consent: analytics (not sent without the visitor's "
                         "consent.analytics)"));
    CHECK(strstr(b.data, "requires_consent: none (sent whatever the visitor's consent)"));
    pw_buf_free(&b);
    pw_gw_policy_free(p);

    /* requires_consent: none on Meta still sends no identifier without consent.ads */
    p = load_with("    requires_consent: none\n", &err);
    CHECK(p != NULL);
    if (p) {
        ev = consented_event();
        ev.consent_ads = 0;
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(!res[0].accepted); /* nothing left for Meta to match */
        CHECK(res[0].rule && strstr(res[0].rule, "meta: no user_data left") != NULL);
    }
    pw_gw_policy_free(p);
    pw_gw_policy *bad = load_with("    requires_consent: maybe\n", &err);
    CHECK(bad == NULL);
    CHECK_STR(err.msg, "gateway.yaml:12:23: destinations.meta.requires_consent: expected one of: "
                       "none | ads | analytics");
    pw_arena_free(&a);
}

/* 3. One pseudonym per destination: HMAC(site key, destination + '\0' + fpid). */
static void test_pseudonym_per_destination(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("", &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    ev.fpid = "fp-123";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    /* python3: hmac.new(KEY, b"meta\0fp-123", sha256) etc. */
    CHECK(res[0].payload && strstr(res[0].payload, "\"external_id\":\"c82b1ed73152f7b3da509aeb33ab9"
                                                   "a1e02c93181f96e9a6f0f828663a514594d\""));
    CHECK(res[1].payload && strstr(res[1].payload, "\"client_id\":\"aea67694d3b61d85cf717b8c8396c"
                                                   "8d3f9a7aeb5616051dfd66aa20049fdaa7e\""));
    CHECK(res[2].payload && strstr(res[2].payload, "\"fpid\":\"709af85dbacd1c5e62a200e2a76dd0995"
                                                   "62c9910cb095c26d00ac7b141c3a598\""));
    pw_gw_policy_free(p);
    pw_arena_free(&a);
}

/* 4. GA4 names the forwarder would dead-letter are refused at load, with line and column. */
static void test_ga4_names(void)
{
    static const char *const base = "site: {hmac_key_env: GW_TEST_SITE_KEY}\n"
                                    "destinations:\n"
                                    "  ga4:\n"
                                    "    type: ga4\n"
                                    "    measurement_id: G-TEST\n"
                                    "    api_secret_env: GW_TEST_META_TOKEN\n"
                                    "    events: {page_view: %s}\n"
                                    "    allow_params: [%s]\n";
    struct {
        const char *ev, *param, *msg;
    } cases[] = {
        {"session_start", "value",
         "gateway.yaml:7:25: destinations.ga4.events.page_view: 'session_start' is not an event "
         "name GA4 takes (1-40 letters, digits or '_', starting with a letter; not reserved like "
         "session_start or prefixed _, ad_, firebase_, ga_, google_, gtag.)"},
        {"page_view", "page-type",
         "gateway.yaml:8:20: destinations.ga4.allow_params[0]: 'page-type' is not a parameter "
         "name GA4 takes (1-40 letters, digits or '_', starting with a letter; no prefix _, ad_, "
         "firebase_, ga_, google_, gtag.)"},
        {"google_lead", "value", NULL},
        {"page_view", "value, ga_x", NULL},
    };
    setenv("GW_TEST_SITE_KEY", KEY, 1);
    setenv("GW_TEST_META_TOKEN", "t", 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, base, cases[i].ev, cases[i].param);
        pw_gw_policy *p = NULL;
        pw_err err = {0};
        CHECK_INT(pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, &err),
                  PW_ERR_INVALID);
        CHECK(p == NULL);
        if (cases[i].msg)
            CHECK_STR(err.msg, cases[i].msg);
        pw_gw_policy_free(p);
    }
    char yaml[1024];
    snprintf(yaml, sizeof yaml, base, "generate_lead", "value, currency");
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    CHECK_INT(pw_gw_policy_parse("gateway.yaml", yaml, strlen(yaml), NULL, &p, &err), PW_OK);
    pw_gw_policy_free(p);
}

/* 5. The guard: evasions of the engine are dropped, with the reason. */
static void test_guard_evasions(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const pw_gw_script_mode L = PW_GW_SCRIPTS_LATIN, ANY = PW_GW_SCRIPTS_ANY;
    CHECK_STR(guard(&a, "\xEF\xBC\xA8\xEF\xBC\xA9\xEF\xBC\xB6 test", ANY),
              "guard: compatibility letter U+FF28: refused"); /* ＨＩＶ */
    CHECK_STR(guard(&a, "\xD0\x9D\xD0\x86V test", L),
              "guard: text_scripts latin: non-Latin letter U+041D: refused"); /* НІV */
    CHECK_STR(guard(&a, "\xD0\x9D\xD0\x86V test", ANY),
              "guard: Latin mixed with a look-alike script in one word U+0056: refused");
    CHECK_STR(guard(&a, "H\xE2\x80\x8BIV", ANY),
              "guard: invisible format character U+200B: refused");
    CHECK_STR(guard(&a,
                    "c\xC2\xAD"
                    "ancer",
                    ANY),
              "guard: invisible format character U+00AD: refused");
    CHECK_STR(guard(&a, "\xEF\xBB\xBFhi", ANY),
              "guard: invisible format character U+FEFF: refused");
    CHECK_STR(guard(&a, "h.i.v test", ANY), "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard(&a, "see c-a-n-c-e-r", ANY), "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard(&a, "am9obi5kb2VAZXhhbXBsZS5jb20=", ANY),
              "guard: base64 text carries PHI: refused"); /* john.doe@example.com */
    CHECK_STR(guard(&a, "H\xCC\xB6I\xCC\xB6V", ANY),
              "guard: text under combining marks carries PHI: refused");
    CHECK_STR(guard(&a, "\xF0\x9D\x90\x87IV", ANY), "guard: compatibility letter U+1D407: refused");
    CHECK_STR(guard(&a, "bad \xFF byte", ANY), "guard: malformed UTF-8: refused");
    /* Precomposed accents (Spanish, French pages): read without them, the term is found. */
    CHECK_STR(guard(&a, "c\xC3\xA1ncer de mama", L),
              "guard: accented letters, read without their accents, carry PHI: refused");
    CHECK_STR(guard(&a, "C\xC3\x81NCER", ANY),
              "guard: accented letters, read without their accents, carry PHI: refused");
    CHECK_STR(guard(&a, "diab\xC3\xA8tes", ANY),
              "guard: accented letters, read without their accents, carry PHI: refused");
    CHECK_STR(guard(&a, "\xE1\xB8\xA4IV", ANY), /* Ḥ (U+1E24) */
              "guard: accented letters, read without their accents, carry PHI: refused");
    /* Percent-encoded text (a query string or path copied into a param) is read decoded. */
    CHECK_STR(guard(&a, "c%C3%A1ncer de mama", L),
              "guard: percent-encoded text, decoded: guard: accented letters, read without their "
              "accents, carry PHI: refused");
    CHECK_STR(guard(&a, "%D0%92%D0%98%D0%A7", L), /* ВИЧ */
              "guard: percent-encoded text, decoded: guard: text_scripts latin: non-Latin letter "
              "U+0412: refused");
    CHECK_STR(guard(&a, "q=c%61ncer", ANY),
              "guard: percent-encoded text, decoded, carries PHI: refused");
    CHECK(guard(&a, "c%2561ncer", ANY) != NULL); /* twice encoded */
    const char *four =                           /* "A" percent-encoded four times */
        "%25%32%35%25%33%32%25%33%35%25%32%35%25%33%33%25%33%34%25%32%35%25%33%33%25%33%31";
    const char *why = guard(&a, four, ANY);
    CHECK(why && strstr(why, "guard: percent-encoded more than 3 times: refused"));
    CHECK(guard(&a, "50% off, 100%25 sure, caf%C3%A9", L) == NULL);
    /* Clean text passes: accents, punctuation, emoji, base64 of clean text or of binary. */
    CHECK(guard(&a, "Caf\xC3\xA9 na\xC3\xAFve \xE2\x80\x94 r\xC3\xA9sum\xC3\xA9 \xF0\x9F\x98\x80",
                L) == NULL);
    CHECK(guard(&a, "U.S. Army, a b", L) == NULL);
    CHECK(guard(&a, "aGVsbG8gd29ybGQgdGhpcyBpcyBmaW5l", L) ==
          NULL); /* "hello world this is fine" */
    CHECK(guard(&a, "token 3q2+7wAAAAAAAAAAAAAAAAAAAAAA", L) == NULL); /* binary */
    CHECK(guard(&a, "appointmentrequestconfirmation", L) == NULL);
    /* Other languages: refused under latin, allowed under any when not mixed with Latin. */
    CHECK(guard(&a, "\xD0\x97\xD0\xB0\xD0\xBF\xD0\xB8\xD1\x81\xD1\x8C MRI", L) != NULL);
    CHECK(guard(&a, "\xD0\x97\xD0\xB0\xD0\xBF\xD0\xB8\xD1\x81\xD1\x8C MRI", ANY) == NULL);
    pw_arena_free(&a);
}

/* Spaced-out letters whose words are spaced wider than their letters: joined whole, the words
 * ran together ("Scheduleacancer", "servicesoncology") and the term inside was not found, so
 * the value was sent (found by sending the demo's and the Markup captures' flagged values through
 * a live gateway, 1 December 2026). Dots drawn between letters and commas space letters out too. */
static void test_guard_spaced_words(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const pw_gw_script_mode ANY = PW_GW_SCRIPTS_ANY;
    const char *spaced = "guard: spaced-out letters carry PHI: refused";
    CHECK_STR(guard(&a, "S.c.h.e.d.u.l.e. .a. .c.a.n.c.e.r. .c.o.n.s.u.l.t", ANY), spaced);
    CHECK_STR(guard(&a, "h.t.t.p.s.:././.w.w.w...e.x./.s.e.r.v.i.c.e.s./.o.n.c.o.l.o.g.y", ANY),
              spaced);
    CHECK_STR(guard(&a, "m y  h i v  t e s t", ANY), spaced);
    CHECK_STR(guard(&a,
                    "c\xC2\xB7"
                    "a\xC2\xB7n\xC2\xB7"
                    "c\xC2\xB7"
                    "e\xC2\xB7r",
                    ANY),
              spaced);                                                     /* U+00B7 */
    CHECK_STR(guard(&a, "h\xE2\x80\xA2i\xE2\x80\xA2v test", ANY), spaced); /* U+2022 */
    CHECK_STR(guard(&a, "c , a , n , c , e , r", ANY), spaced);
    CHECK_STR(guard(&a, "o:n:c:o:l:o:g:y", ANY), spaced);
    /* accented and spaced wide: the accent-folded view is read in words too */
    CHECK_STR(guard(&a, "a. .c.\xC3\xA1.n.c.e.r", ANY), spaced);
    /* what stays clean: initials, abbreviations, lists of letters */
    CHECK(guard(&a, "R.S.V.P. today, U.S.A. visit", ANY) == NULL);
    CHECK(guard(&a, "A \xC2\xB7 B \xC2\xB7 C, x, y, z", ANY) == NULL);
    CHECK(guard(&a, "Dr. J. R. R. Tolkien, 10:30 a.m.", ANY) == NULL);
    pw_arena_free(&a);
}

/* Base64 read one layer deep and from 16 characters on: base64 of base64, of percent-encoded
 * text or of spaced-out letters, and short words ("Y2FuY2Vy" is "cancer"), were sent. */
static void test_guard_base64_layers(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const pw_gw_script_mode L = PW_GW_SCRIPTS_LATIN;
    CHECK_STR(guard(&a, "Y2FuY2Vy", L), "guard: base64 text carries PHI: refused");
    CHECK_STR(guard(&a, "aGl2IHRlc3Q=", L), "guard: base64 text carries PHI: refused");
    CHECK_STR(guard(&a, "WW5KbFlYTjBJR05oYm1ObGNnPT0=", L), /* "breast cancer", twice */
              "guard: base64 text, decoded: guard: base64 text carries PHI: refused");
    const char *why = guard(&a, "YnJlYXN0JTIwY2FuY2Vy", L); /* "breast%20cancer" */
    CHECK(why && strncmp(why, "guard: base64 text, decoded: guard: percent-encoded", 51) == 0);
    why = guard(&a, "aC5pLnYgdGVzdA==", L); /* "h.i.v test" */
    CHECK_STR(why, "guard: base64 text, decoded: guard: spaced-out letters carry PHI: refused");
    /* words and ids that decode to bytes (or to clean text) pass, whatever script those bytes
     * happen to spell: only PHI in decoded text refuses */
    CHECK(guard(&a, "Quantcast Rivermoor Careers 25042596 Measure", L) == NULL);
    CHECK(guard(&a, "aGVsbG8gd29ybGQ= aGVsbG8=", L) == NULL); /* "hello world", "hello" */
    CHECK(guard(&a, "YUdWc2JHOGdkMjl5YkdRPQ==", L) == NULL);  /* "hello world", twice */
    pw_arena_free(&a);
}

/* A referrer host or port that no browser sends was sent as written under referrer_origins "*":
 * a percent-encoded host ("www.%68%69%76clinic.org" is the run-together "hivclinic" the host
 * checks read only in plain text) and a "port" of 7 digits (a phone number). */
static void test_referrer_host_shape(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("    referrer_origins: [\"*\"]\n", &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    static const char *const bad[] = {"https://www.%68%69%76clinic.org/",
                                      "https://www.google.com:5550142/",
                                      "https://www.google.com:+443/", "https://www.goo%20gle.com/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ev.referrer = bad[i];
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
        CHECK(res[0].accepted && res[0].payload && !strstr(res[0].payload, "referrer_origin"));
        CHECK_STR(gw_test_field_rule(&res[0], "referrer"),
                  "referrer: not a host and port a browser sends (an escape or a character "
                  "outside a DNS name, or a port over 65535): dropped");
        pw_arena_reset(&a);
    }
    ev.referrer = "https://www.google.com:8443/search?q=x";
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload &&
          strstr(res[0].payload, "\"referrer_origin\":\"https://www.google.com:8443\""));
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* An allow_params name is sent beside its value: {"hiv_status": true} told Meta what the
 * boolean alone does not, and neither the value's scan (a boolean is not scanned; "yes" and 1
 * are clean) nor --check looked at the name. The name now passes the PHI engine like a page
 * category: a hit drops the param (care intent alone does not), prepared or not, and --check
 * warns. */
static void test_param_names(void)
{
    static const char *const yaml =
        "site:\n"
        "  origins: [https://www.example-hospital.org]\n"
        "  hmac_key_env: GW_TEST_SITE_KEY\n"
        "destinations:\n"
        "  meta:\n"
        "    type: meta\n"
        "    pixel_id: \"42\"\n"
        "    access_token_env: GW_TEST_META_TOKEN\n"
        "    events: {appointment_request: Schedule}\n"
        "    allow_params: [hiv_status, cancer_screening, appointment_type, note]\n"
        "    first_party_id: hmac\n";
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_gw_param params[] = {{"hiv_status", PW_GW_V_BOOL, "true", 4},
                            {"cancer_screening", PW_GW_V_NUMBER, "1", 1},
                            {"appointment_type", PW_GW_V_STRING, "new", 3},
                            {"note", PW_GW_V_STRING, "yes", 3}};
    pw_gw_event ev = consented_event();
    ev.params = params;
    ev.n_params = 4;
    pw_arena a;
    pw_arena_init(&a, 0);
    for (int prepared = 0; prepared < 2; prepared++) {
        if (prepared)
            CHECK_INT(pw_gw_policy_prepare(p, &gw_test_phi, &err), PW_OK);
        pw_gw_dest_result res[1];
        CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000001000, res, &err), PW_OK);
        CHECK(res[0].accepted);
        CHECK(res[0].payload && !strstr(res[0].payload, "hiv_status") &&
              !strstr(res[0].payload, "cancer_screening"));
        CHECK(res[0].payload && strstr(res[0].payload, "\"appointment_type\":\"new\"") &&
              strstr(res[0].payload, "\"note\":\"yes\""));
        CHECK_STR(gw_test_field_rule(&res[0], "custom_data.hiv_status"),
                  "allow_params: the name hits the PHI engine (HEALTH): refused");
        CHECK_STR(gw_test_field_rule(&res[0], "custom_data.cancer_screening"),
                  "allow_params: the name hits the PHI engine (HEALTH): refused");
        pw_arena_reset(&a);
    }
    pw_buf out;
    pw_buf_init(&out);
    size_t warnings = 0;
    CHECK_INT(pw_gw_policy_lint(p, &gw_test_phi, &out, &warnings, &err), PW_OK);
    CHECK_INT(warnings, 2);
    CHECK(out.data && strstr(out.data, "# warning: destinations.meta.allow_params.hiv_status: "
                                       "the name hits the PHI engine"));
    pw_buf_free(&out);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* The guard at work in apply: the field is dropped and the trace says why. */
static void test_guard_in_apply(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("", &err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->dests[0].text_scripts, PW_GW_SCRIPTS_LATIN);
    CHECK_INT(p->dests[2].text_scripts, PW_GW_SCRIPTS_ANY);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    pw_gw_param params[] = {{"note", PW_GW_V_STRING, "H\xE2\x80\x8BIV", 6}};
    ev.params = params;
    ev.n_params = 1;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    for (int d = 0; d < 3; d++) {
        CHECK(res[d].accepted);
        CHECK(res[d].payload && strstr(res[d].payload, "IV") == NULL);
    }
    CHECK_STR(gw_test_field_rule(&res[0], "custom_data.note"),
              "guard: invisible format character U+200B: refused");
    pw_gw_param cyr[] = {
        {"note", PW_GW_V_STRING, "\xD0\x97\xD0\xB0\xD0\xBF\xD0\xB8\xD1\x81\xD1\x8C", 12}};
    ev.params = cyr;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].payload && strstr(res[0].payload, "\"note\"") == NULL); /* meta: latin */
    CHECK(res[2].payload && strstr(res[2].payload, "\"note\"") != NULL); /* webhook: any */
    pw_gw_policy_free(p);
    pw_arena_free(&a);
}

/* Accented text that the caller redacts: not refused by the guard (pw_gw_guard_check_text), the
 * folded view's spans map back onto the original, and in apply the term is redacted per phi
 * like its ASCII form. The other refusals stand. */
static const char *guard_text(pw_arena *a, const char *s)
{
    const char *why = NULL;
    CHECK_INT(
        pw_gw_guard_check_text(a, s, strlen(s), PW_GW_SCRIPTS_LATIN, gw_test_guard_scan, a, &why),
        PW_OK);
    return why;
}

static void test_guard_accents_redacted(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK(guard_text(&a, "c\xC3\xA1ncer de mama") == NULL);
    CHECK(guard_text(&a, "\xE1\xB8\xA4IV") == NULL); /* Ḥ (U+1E24) */
    CHECK_STR(guard_text(&a, "c%C3%A1ncer de mama"),
              "guard: percent-encoded text, decoded: guard: accented letters, read without their "
              "accents, carry PHI: refused");
    CHECK_STR(guard_text(&a, "H\xE2\x80\x8BIV"),
              "guard: invisible format character U+200B: refused");
    CHECK_STR(guard_text(&a, "h.i.v test"), "guard: spaced-out letters carry PHI: refused");
    /* spaced out and accented: the letters are joined in the accent-folded view too (neither
     * view alone showed "hiv": the engine does not read "h.i.v", and í broke the run) */
    CHECK_STR(guard_text(&a, "h.\xC3\xAD.v test"), "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard(&a, "c-\xC3\xA1-n-c-e-r", PW_GW_SCRIPTS_ANY),
              "guard: spaced-out letters carry PHI: refused");
    /* Decomposed accents (NFD: a letter, then combining accents) go the way of precomposed
     * ones: not refused here, read as the letter; other marks on letters (a strike-through
     * overlay, U+0336) are still refused, and spaced-out letters stay refused either way. */
    CHECK(guard_text(&a, "ca\xCC\x81ncer de mama") == NULL);      /* a + U+0301 */
    CHECK(guard_text(&a, "H\xCC\xA3IV") == NULL);                 /* H + U+0323 */
    CHECK(guard_text(&a, "cita para depresio\xCC\x81n") == NULL); /* o + U+0301 */
    CHECK(guard_text(&a, "c\xCC\xA7"
                         "a\xCC\x81\xCC\x80"
                         "ncer") == NULL); /* c + U+0327, a + two */
    CHECK_STR(guard(&a, "ca\xCC\x81ncer de mama", PW_GW_SCRIPTS_LATIN),
              "guard: accented letters, read without their accents, carry PHI: refused");
    CHECK_STR(guard_text(&a, "H\xCC\xB6I\xCC\xB6V"),
              "guard: text under combining marks carries PHI: refused");
    CHECK_STR(guard_text(&a, "h.i\xCC\x81.v test"), "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard(&a, "c-a\xCC\x81-n-c-e-r", PW_GW_SCRIPTS_ANY),
              "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard_text(&a, "c-a\xCC\x81-n-c-e-r"),
              "guard: spaced-out letters carry PHI: refused");
    CHECK_STR(guard_text(&a, "1\xCC\x81 hiv"), /* a mark on no letter: refused as before */
              "guard: text under combining marks carries PHI: refused");
    char *f = NULL;
    size_t fn = 0, *map = NULL;
    static const char nfd[] = "xe\xCC\x81\xCC\xA3y"; /* x, e + U+0301 + U+0323, y */
    CHECK_INT(pw_gw_guard_fold(&a, nfd, sizeof nfd - 1, &f, &fn, &map), PW_OK);
    CHECK_STR(f ? f : "", "xey");
    static const size_t want_nfd[] = {0, 1, 6, 7};
    CHECK_INT(fn, 3);
    for (size_t i = 0; map && fn == 3 && i <= fn; i++)
        CHECK_INT(map[i], want_nfd[i]);
    static const char in[] = "x\xE1\xB8\xA4IV \xC3\xA9!"; /* xḤIV é! */
    CHECK_INT(pw_gw_guard_fold(&a, in, sizeof in - 1, &f, &fn, &map), PW_OK);
    CHECK_STR(f ? f : "", "xHIV e!");
    static const size_t want[] = {0, 1, 4, 5, 6, 7, 9, 10};
    CHECK_INT(fn, 7);
    for (size_t i = 0; map && fn == 7 && i <= fn; i++)
        CHECK_INT(map[i], want[i]);
    CHECK_INT(pw_gw_guard_fold(&a, "plain", 5, &f, &fn, &map), PW_OK);
    CHECK(f == NULL);

    pw_err err = {0};
    pw_gw_policy *p = load_with("", &err);
    CHECK(p != NULL);
    if (!p) {
        pw_arena_free(&a);
        return;
    }
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    static const char note[] = "Diab\xC3\xA8tes y \xE1\xB8\xA4IV, caf\xC3\xA9";
    pw_gw_param params[] = {{"note", PW_GW_V_STRING, note, sizeof note - 1}};
    ev.params = params;
    ev.n_params = 1;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].accepted && res[0].payload &&
          strstr(res[0].payload, "\"note\":\"[HEALTH] y [HEALTH], caf\xC3\xA9\"") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "custom_data.note"), "phi: redact (HEALTH)");
    for (int d = 0; d < 3; d++)
        CHECK(res[d].payload && !strstr(res[d].payload, "tes y") && !strstr(res[d].payload, "IV"));
    /* The same note decomposed (NFD): redacted the same way, each term's marks inside its span
     * (a mark left after "[HEALTH]" would be a stray accent on the bracket). */
    static const char nfd_note[] = "Diabe\xCC\x80tes y H\xCC\xA3IV\xCC\x81, cafe\xCC\x81";
    pw_gw_param nfd_params[] = {{"note", PW_GW_V_STRING, nfd_note, sizeof nfd_note - 1}};
    ev.params = nfd_params;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[0].accepted && res[0].payload &&
          strstr(res[0].payload, "\"note\":\"[HEALTH] y [HEALTH], cafe\xCC\x81\"") != NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "custom_data.note"), "phi: redact (HEALTH)");
    for (int d = 0; d < 3; d++)
        CHECK(res[d].payload && !strstr(res[d].payload, "tes y") && !strstr(res[d].payload, "IV") &&
              !strstr(res[d].payload, "]\xCC"));
    p->dests[1].phi_strings = PW_GW_PHI_DROP; /* and under phi: drop, the field goes */
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    CHECK(res[1].accepted && res[1].payload && !strstr(res[1].payload, "\"note\""));
    CHECK_STR(gw_test_field_rule(&res[1], "events[0].params.note"), "phi: drop (HEALTH)");
    pw_gw_policy_free(p);
    pw_arena_free(&a);
}

/* A decoded view holding a NUL ("%00cancer" is "\0cancer") reaches the engine whole: the guard's
 * scan was handed a copy cut at the NUL with the view's length, and so read the arena's bytes
 * after the copy (what the scan itself then wrote there: a fuzzer's hang in de_compounds). */
static void test_guard_percent_nul(void)
{
    pw_err err = {0};
    pw_gw_policy *p = load_with("", &err);
    CHECK(p != NULL);
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result res[3];
    pw_gw_event ev = consented_event();
    pw_gw_param params[] = {{"note", PW_GW_V_STRING, "%00cancer screening", 19}};
    ev.params = params;
    ev.n_params = 1;
    CHECK_INT(pw_gw_policy_apply(p, &gw_test_phi, &a, &ev, 1700000000000, res, &err), PW_OK);
    for (int d = 0; d < 3; d++)
        CHECK(res[d].accepted && res[d].payload && strstr(res[d].payload, "cancer") == NULL);
    CHECK_STR(gw_test_field_rule(&res[0], "custom_data.note"),
              "guard: percent-encoded text, decoded, carries PHI: refused");
    pw_gw_policy_free(p);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(test_referrer_hosts), PW_TEST(test_consent),
             PW_TEST(test_pseudonym_per_destination), PW_TEST(test_ga4_names),
             PW_TEST(test_guard_evasions), PW_TEST(test_guard_spaced_words),
             PW_TEST(test_guard_base64_layers), PW_TEST(test_param_names),
             PW_TEST(test_referrer_host_shape), PW_TEST(test_guard_in_apply),
             PW_TEST(test_guard_accents_redacted), PW_TEST(test_guard_percent_nul))
