/*
 * test_detect_health.c — health context through the detect API: vocabulary matches in text,
 * slugs, camelCase and layered percent-encoding become HEALTH / CARE_INTENT hits with spans in
 * the original string; generic hospital words never count.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const pw_hit *expect_health(const char *s, pw_field_type ft, pw_phi_category c,
                                   const char *subtype, const char *text)
{
    dt_scan(&T, NULL, s, ft);
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].category == c && strcmp(T.h[i].subtype, subtype) == 0 &&
            strcmp(dt_text(&T, &T.h[i]), text) == 0)
            return &T.h[i];
    fprintf(stderr, "  no %s/%s \"%s\" in \"%s\"\n", pw_phi_category_name(c), subtype, text, s);
    CHECK(0);
    return NULL;
}

static void test_text_and_synonyms(void)
{
    CHECK(pw_detector_vocab_size(T.d) >= 5000);
    const pw_hit *h = expect_health("Signs of a Heart Attack in women", PW_FT_TEXT, PW_PHI_HEALTH,
                                    "condition", "Heart Attack");
    if (h) {
        CHECK_STR(h->normalized, "myocardial infarction");
        CHECK_INT(h->reason, PW_REASON_VOCABULARY);
    }
    h = expect_health("Abortion services", PW_FT_TEXT, PW_PHI_HEALTH, "sensitive-service",
                      "Abortion services");
    if (h)
        CHECK_INT(h->sensitivity, PW_SENS_HIGH);
    expect_health("IVF consult", PW_FT_TEXT, PW_PHI_HEALTH, "procedure", "IVF");
    expect_health("Ask about PrEP", PW_FT_TEXT, PW_PHI_HEALTH, "medication", "PrEP");
}

static void test_url_layers(void)
{
    expect_health("https://h.org/conditions/breast-cancer?x=1", PW_FT_URL, PW_PHI_HEALTH,
                  "condition", "breast-cancer");
    expect_health("https://h.org/x?pageName=kneeReplacementSurgery", PW_FT_URL, PW_PHI_HEALTH,
                  "procedure", "kneeReplacement");
    /* twice percent-encoded inside a tracker's dl= parameter */
    expect_health("https://www.facebook.com/tr/?dl=https%253A%252F%252Fh.org%252Fservices%252Fhiv",
                  PW_FT_URL, PW_PHI_HEALTH, "condition", "hiv");
    expect_health("https://h.org/search?q=chest%20pain", PW_FT_URL, PW_PHI_HEALTH, "symptom",
                  "chest%20pain");
    expect_health("https://h.org/search?q=chest%20pain", PW_FT_URL, PW_PHI_CARE_INTENT, "search",
                  "chest%20pain");
}

static void test_care_intent(void)
{
    expect_health("Find a Doctor", PW_FT_TEXT, PW_PHI_CARE_INTENT, "find-a-doctor",
                  "Find a Doctor");
    expect_health("Pay my bill online", PW_FT_TEXT, PW_PHI_CARE_INTENT, "bill-pay", "Pay my bill");
}

static void test_generic_words_alone(void)
{
    static const char *const general[] = {
        "Visiting hours at the hospital", "Careers at our clinic", "Parking and directions",
        "Hospital news: new garage opens", "Volunteer at the health center"};
    for (size_t i = 0; i < sizeof general / sizeof general[0]; i++) {
        dt_scan(&T, NULL, general[i], PW_FT_TEXT);
        if (T.n)
            fprintf(stderr, "  \"%s\": %s \"%s\"\n", general[i],
                    pw_phi_category_name(T.h[0].category), dt_text(&T, &T.h[0]));
        CHECK_INT(T.n, 0);
    }
}

static void test_redact_health(void)
{
    pw_buf b;
    pw_buf_init(&b);
    const char *u = "https://h.org/conditions/breast-cancer/treatment?ref=nav";
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, u, strlen(u), PW_FT_URL, &b, NULL), PW_OK);
    CHECK_STR(b.data, "https://h.org/conditions/[CONDITION]/treatment?ref=nav");
    pw_buf_free(&b);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_text_and_synonyms), PW_TEST(test_url_layers),
             PW_TEST(test_care_intent), PW_TEST(test_generic_words_alone),
             PW_TEST(test_redact_health), PW_TEST(teardown))
