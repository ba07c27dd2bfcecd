/*
 * test_detect_url_shortcuts.c — the URL scanner's shortcuts find what the full scan finds: a
 * bookkeeping parameter (ts=, v=, id=, fbp=) is skipped only when it can hold nothing (no
 * canaries, nothing to decode), an escaped value goes straight to its decoded layer, decoded
 * spans map back to the encoded bytes, and the authority ends where it did ('/', '?', '#',
 * upper-case schemes, hosts longer than 16 bytes).
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T, C;

static const pw_canary canaries[] = {{"email", "Jane.Doe@Example.com", PW_CANARY_EMAIL}};

/* The hit of category c has exactly the text want in the scanned string. */
static void expect_hit(dt_ctx *t, const char *url, pw_phi_category c, const char *want)
{
    dt_scan(t, NULL, url, PW_FT_URL);
    const pw_hit *h = dt_find(t, c);
    if (!h)
        fprintf(stderr, "  no %s hit in %s\n", pw_phi_category_name(c), url);
    CHECK(h != NULL);
    if (h)
        CHECK_STR(dt_text(t, h), want);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
    CHECK(dt_open(&C, canaries, sizeof canaries / sizeof canaries[0]));
}

static void test_bookkeeping_without_escapes(void)
{
    dt_scan(&T, NULL,
            "https://t.example/p?ts=1700000000123&v=2&cid=3764521008.0257123417"
            "&fbp=fb.1.1700000000.1234567890&tid=G-95902906",
            PW_FT_URL);
    CHECK_INT(T.n, 0);
}

static void test_bookkeeping_holding_a_url(void)
{
    /* a decoded layer that is a URL is scanned as one, whatever its key */
    expect_hit(&T, "https://t.example/p?v=https%3A%2F%2Fh.org%2Fbook%3Fph%3D617-555-0123",
               PW_PHI_PHONE, "617-555-0123");
    expect_hit(&T, "https://t.example/p?ts=1&id=https%3A%2F%2Fh.org%2Fpatients%2F48213907",
               PW_PHI_RECORD_ID, "48213907");
}

static void test_bookkeeping_with_canaries(void)
{
    /* with canaries the bookkeeping value is still looked at, plain and escaped */
    expect_hit(&C, "https://t.example/p?id=jane.doe@example.com&v=2", PW_PHI_CANARY,
               "jane.doe@example.com");
    expect_hit(&C, "https://t.example/p?eid=jane.doe%40example.com", PW_PHI_CANARY,
               "jane.doe%40example.com");
}

static void test_decoded_spans(void)
{
    /* stretches of plain bytes (offset maps filled four at a time) around escapes */
    expect_hit(&T, "https://h.org/p?email=maria.lopez.garcia%40example-mail.org&x=1", PW_PHI_EMAIL,
               "maria.lopez.garcia%40example-mail.org");
    expect_hit(&T,
               "https://t.example/tr?dl=https%3A%2F%2Fwww.h.org%2Fbook%3Femail%3Dmaria.lopez."
               "garcia%2540example-mail.org%26x%3D1",
               PW_PHI_EMAIL, "maria.lopez.garcia%2540example-mail.org");
    expect_hit(&T, "https://h.org/search?q=chest+pain+after+eating%21&page=2", PW_PHI_CARE_INTENT,
               "chest+pain+after+eating"); /* trailing "%21" trimmed */
}

static void test_authority_end(void)
{
    expect_hit(&T, "HTTPS://WWW.EXAMPLE-HOSPITAL.ORG/patients/48213907", PW_PHI_RECORD_ID,
               "48213907");
    expect_hit(&T, "https://a-long-host-name.example-hospital.org/patients/48213907",
               PW_PHI_RECORD_ID, "48213907");
    expect_hit(&T, "https://a-long-host-name.example-hospital.org?email=jo.smith%40example.org",
               PW_PHI_EMAIL, "jo.smith%40example.org");
    expect_hit(&T, "https://a-long-host-name.example-hospital.org#email=jo.smith%40example.org",
               PW_PHI_EMAIL, "jo.smith%40example.org");
    expect_hit(&T, "http://h.org:8080/patients/48213907", PW_PHI_RECORD_ID, "48213907");
}

static void teardown(void)
{
    dt_close(&T);
    dt_close(&C);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_bookkeeping_without_escapes),
             PW_TEST(test_bookkeeping_holding_a_url), PW_TEST(test_bookkeeping_with_canaries),
             PW_TEST(test_decoded_spans), PW_TEST(test_authority_end), PW_TEST(teardown))
