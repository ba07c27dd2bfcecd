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
    expect_health("Verify insurance for my visit", PW_FT_TEXT, PW_PHI_CARE_INTENT, "bill-pay",
                  "Verify insurance");
}

static void test_generic_words_alone(void)
{
    static const char *const general[] = {
        "Visiting hours at the hospital", "Careers at our clinic", "Parking and directions",
        "Hospital news: new garage opens", "Volunteer at the health center",
        /* which plans a hospital accepts is public, like its visiting hours */
        "Insurance accepted", "Insurance plans accepted at our hospitals"};
    for (size_t i = 0; i < sizeof general / sizeof general[0]; i++) {
        dt_scan(&T, NULL, general[i], PW_FT_TEXT);
        if (T.n)
            fprintf(stderr, "  \"%s\": %s \"%s\"\n", general[i],
                    pw_phi_category_name(T.h[0].category), dt_text(&T, &T.h[0]));
        CHECK_INT(T.n, 0);
    }
}

/* The hit of category c whose text is exactly text, or NULL (no CHECK). */
static const pw_hit *hit_with_text(pw_phi_category c, const char *text)
{
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].category == c && strcmp(dt_text(&T, &T.h[i]), text) == 0)
            return &T.h[i];
    return NULL;
}

/* A care-intent phrase keeps its span when the health term inside it outranks it. */
static void test_care_holds_health(void)
{
    const pw_hit *c = expect_health("Schedule Mammogram", PW_FT_TEXT, PW_PHI_CARE_INTENT,
                                    "scheduling", "Schedule Mammogram");
    if (c) {
        CHECK_INT(c->start, 0);
        CHECK_INT(c->end, 18);
    }
    const pw_hit *h = hit_with_text(PW_PHI_HEALTH, "Mammogram");
    CHECK(h != NULL);
    if (h)
        CHECK_INT(h->start, 9);
    CHECK_INT(T.n, 2);
    const char *u = "https://bat.bing.com/action/0?ti=5551234&evt=custom&ea=submit&el=Schedule%20"
                    "Mammogram&p=https%3A%2F%2Fwww.coastal-example.org%2Fimaging";
    c = expect_health(u, PW_FT_URL, PW_PHI_CARE_INTENT, "scheduling", "Schedule%20Mammogram");
    if (c) {
        CHECK_INT(c->start, 65);
        CHECK_INT(c->end, 85);
    }
    h = hit_with_text(PW_PHI_HEALTH, "Mammogram");
    CHECK(h != NULL);
    if (h) {
        CHECK_INT(h->start, 76);
        CHECK_INT(h->end, 85);
    }
    /* the term alone is health only */
    dt_scan(&T, NULL, "Mammogram", PW_FT_TEXT);
    CHECK_INT(T.n, 1);
    CHECK_INT(dt_count(&T, PW_PHI_CARE_INTENT), 0);
}

/* "second opinion" is everyday English; "behavioral health" is a high-sensitivity service. */
static void test_second_opinion_and_behavioral_health(void)
{
    const char *m = "I need a second opinion on my prostate cancer diagnosis";
    dt_scan(&T, NULL, m, PW_FT_TEXT);
    CHECK_INT(T.n, 1);
    CHECK(hit_with_text(PW_PHI_HEALTH, "prostate cancer diagnosis") != NULL);
    /* a portal that is not a patient's */
    dt_scan(&T, NULL, "Supplier portal login", PW_FT_TEXT);
    CHECK_INT(T.n, 0);
    expect_health("Patient portal login", PW_FT_TEXT, PW_PHI_CARE_INTENT, "portal",
                  "Patient portal");
    dt_scan(&T, NULL, "Get a second opinion before you sign the contract", PW_FT_TEXT);
    CHECK_INT(T.n, 0);
    dt_scan(&T, NULL, "https://h.org/contact?message=I%20need%20a%20second%20opinion", PW_FT_URL);
    CHECK_INT(T.n, 0);
    expect_health("Request a medical second opinion", PW_FT_TEXT, PW_PHI_HEALTH, "care-service",
                  "medical second opinion");
    const pw_hit *h =
        expect_health("Opioid Addiction Treatment | Northside Behavioral Health", PW_FT_TEXT,
                      PW_PHI_HEALTH, "sensitive-service", "Behavioral Health");
    if (h)
        CHECK_INT(h->sensitivity, PW_SENS_HIGH);
    expect_health("https://www.northside-example.org/behavioral-health/depression-treatment/",
                  PW_FT_URL, PW_PHI_HEALTH, "sensitive-service", "behavioral-health");
}

static void test_redact_health(void)
{
    pw_buf b;
    pw_buf_init(&b);
    const char *u = "https://h.org/conditions/breast-cancer/overview?ref=nav";
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, u, strlen(u), PW_FT_URL, &b, NULL), PW_OK);
    CHECK_STR(b.data, "https://h.org/conditions/[CONDITION]/overview?ref=nav");
    /* "breast cancer treatment" runs across two slugs: both go */
    pw_buf_clear(&b);
    u = "https://h.org/conditions/breast-cancer/treatment?ref=nav";
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, u, strlen(u), PW_FT_URL, &b, NULL), PW_OK);
    CHECK_STR(b.data, "https://h.org/conditions/[PROCEDURE]/[PROCEDURE]?ref=nav");
    /* a care phrase holding a health term: the value is named by the health term */
    pw_buf_clear(&b);
    u = "https://bat.bing.com/action/0?ea=submit&el=Schedule%20Mammogram&p=1";
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, u, strlen(u), PW_FT_URL, &b, NULL), PW_OK);
    CHECK_STR(b.data, "https://bat.bing.com/action/0?ea=submit&el=[PROCEDURE]&p=1");
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
             PW_TEST(test_care_holds_health), PW_TEST(test_second_opinion_and_behavioral_health),
             PW_TEST(test_redact_health), PW_TEST(teardown))
