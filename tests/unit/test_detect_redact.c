/*
 * test_detect_redact.c — redaction: tags in place of hits, URL structure kept, and the property
 * that matters: re-scanning redacted output finds no identifier at all.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const char *redact(const char *key, const char *s, pw_field_type ft)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_status st = pw_redact(T.d, T.s, &T.a, key, s, strlen(s), ft, &b, NULL);
    CHECK_INT(st, PW_OK);
    const char *out = pw_arena_strndup(&T.a, b.data ? b.data : "", b.len);
    pw_buf_free(&b);
    return out;
}

static void test_text(void)
{
    CHECK_STR(redact(NULL, "Email jane@x.org or call 617-555-0123.", PW_FT_TEXT),
              "Email [EMAIL] or call [PHONE].");
    CHECK_STR(redact(NULL, "nothing here", PW_FT_TEXT), "nothing here");
    CHECK_STR(redact("fn", "Jane", PW_FT_FORM_VALUE), "[NAME]");
    CHECK_STR(redact(NULL, "DOB 03/14/1985 SSN 123-45-6789", PW_FT_TEXT), "DOB [DATE] SSN [SSN]");
}

static void test_url_shape(void)
{
    CHECK_STR(
        redact(NULL, "https://h.org/patients/12345/visits?email=a%40b.org&lang=en#top", PW_FT_URL),
        "https://h.org/patients/[ID]/visits?email=[EMAIL]&lang=en#top");
    CHECK_STR(redact(NULL, "https://h.org/search?q=knee+pain&page=2", PW_FT_URL),
              "https://h.org/search?q=[SEARCH]&page=2");
    /* a nested URL is redacted as a URL and re-encoded */
    CHECK_STR(redact(NULL,
                     "https://www.facebook.com/tr/"
                     "?ev=Lead&dl=https%3A%2F%2Fh.org%2Fbook%3Fph%3D6175550123%26x%3D1",
                     PW_FT_URL),
              "https://www.facebook.com/tr/"
              "?ev=Lead&dl=https%3A%2F%2Fh.org%2Fbook%3Fph%3D%5BPHONE%5D%26x%3D1");
}

static const char *const samples[] = {
    "Email jane.doe@example.com or call (617) 555-0123, SSN 123-45-6789",
    "DOB: 03/14/1985, MRN: 00123456, card 4111 1111 1111 1111",
    "https://h.org/patients/12345/visit?fn=Jane&email=jane%40example.com&q=breast+cancer&dl="
    "https%3A%2F%2Fx.org%2Fp%3Fphone%3D6175550123",
    "See Dr. Jane Smith at 1200 North Elm Street, Boston, MA 02115. Medicare 1EG4-TE5-MK73, "
    "NPI 1234567893, DEA AB1234563",
    "{\"user\":{\"email\":\"a.b@c.org\",\"ip\":\"192.168.1.20\",\"ipv6\":\"2001:db8::1\"}}",
    "jane%2540example.com and 617%2D555%2D0123",
};

static void test_nothing_left(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        dt_scan(&T, NULL, samples[i], PW_FT_TEXT);
        CHECK(dt_identifiers(&T) > 0);
        const char *out = redact(NULL, samples[i], PW_FT_TEXT);
        dt_scan(&T, NULL, out, PW_FT_TEXT);
        if (dt_identifiers(&T))
            fprintf(stderr, "  left behind in \"%s\": %s\n", out, dt_text(&T, &T.h[0]));
        CHECK_INT(dt_identifiers(&T), 0);
    }
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_text), PW_TEST(test_url_shape),
             PW_TEST(test_nothing_left), PW_TEST(teardown))
