/*
 * test_detect_pages.c — general hospital pages (page_context.c, data/vocab/page/): a specialty
 * or service named on a careers, news, giving, volunteering or parking page gives no health
 * context or care intent, in URLs (host, path slug, nested in a pixel's dl=) and in titles;
 * identifiers on such pages stay hits; and the counterexamples, health pages whose URL or title
 * holds such a word in another sense, still give their health hits. Also the label of an
 * identifier ("Medical record number: …") is no care intent.
 */
#include <stdio.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

typedef struct page_case {
    pw_field_type type;
    const char *key;
    const char *text;
} page_case;

static int health_or_care(dt_ctx *t)
{
    return dt_count(t, PW_PHI_HEALTH) + dt_count(t, PW_PHI_CARE_INTENT);
}

static void expect_quiet(const page_case *c)
{
    dt_scan(&T, c->key, c->text, c->type);
    if (health_or_care(&T) != 0) {
        const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
        if (!h)
            h = dt_find(&T, PW_PHI_CARE_INTENT);
        fprintf(stderr, "  general page \"%s\": hit \"%s\"\n", c->text, dt_text(&T, h));
    }
    CHECK_INT(health_or_care(&T), 0);
}

/* The health (or care-intent) hit with exactly this text. */
static void expect_health_text(const page_case *c, pw_phi_category cat, const char *text)
{
    dt_scan(&T, c->key, c->text, c->type);
    int found = 0;
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].category == cat && strcmp(dt_text(&T, &T.h[i]), text) == 0)
            found = 1;
    if (!found)
        fprintf(stderr, "  no %s \"%s\" in \"%s\"\n", pw_phi_category_name(cat), text, c->text);
    CHECK(found);
}

static void test_general_urls(void)
{
    static const page_case cases[] = {
        {PW_FT_URL, NULL, "https://www.valleyhealth-example.org/careers/oncology/nurse"},
        {PW_FT_URL, NULL, "https://www.valleyhealth-example.org/careers/search?dept=oncology"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/careers/search?keyword=oncology+nurse"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/en/careers/behavioral-health/"
         "psychiatric-nurse"},
        {PW_FT_URL, NULL, "https://www.valleyhealth-example.org/about-us/careers/cardiology"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/jobs.aspx?dept=Radiology&title=MRI"},
        {PW_FT_URL, NULL,
         "https://careers.valleyhealth-example.org/us/en/job/R12345/"
         "Registered-Nurse-Oncology"},
        {PW_FT_URL, NULL,
         "https://valleyhealth.wd5.myworkdayjobs.com/en-US/External/job/"
         "Boston-MA/Registered-Nurse---Cardiology_R12345"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/news/2025/03/"
         "new-breast-cancer-center-opens"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/newsroom/press-releases/"
         "valley-health-earns-stroke-center-certification"},
        {PW_FT_URL, NULL, "https://www.valleyhealth-example.org/giving/ways-to-give/cancer-center"},
        {PW_FT_URL, NULL, "https://give.valleyhealth-example.org/campaign/pediatric-oncology"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/volunteer/opportunities?dept=hospice"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/visitors/parking/"
         "cancer-center-garage"},
        {PW_FT_URL, NULL,
         "https://www.valleyhealth-example.org/Careers/Oncology#/apply/mammography"},
        /* the careers page inside a pixel beacon, and its title beside it */
        {PW_FT_URL, NULL,
         "https://www.facebook.com/tr/?id=301234567890123&ev=PageView&dl=https%3A"
         "%2F%2Fwww.valleyhealth-example.org%2Fcareers%2Foncology%2Fnurse"
         "&dt=Oncology%20Nurse%20-%20Careers"},
        {PW_FT_JSON_VALUE, "page_location",
         "https://www.valleyhealth-example.org/jobs/oncology-nurse-practitioner-12345"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_quiet(&cases[i]);
}

static void test_general_titles(void)
{
    static const page_case cases[] = {
        {PW_FT_TEXT, NULL, "Oncology Nurse - Careers"},
        {PW_FT_TEXT, NULL, "Careers in Cardiology | Valley Health"},
        {PW_FT_TEXT, NULL, "Behavioral Health Technician Jobs | Valley Health"},
        {PW_FT_TEXT, NULL, "Physician Assistant - Orthopedics - Full Time"},
        {PW_FT_TEXT, NULL, "Apply Now: Psychiatric Nurse Practitioner"},
        {PW_FT_TEXT, NULL, "Now Hiring: Behavioral Health Technicians"},
        {PW_FT_TEXT, NULL, "Hospital News: New MRI Suite Opens"},
        {PW_FT_TEXT, NULL, "Press Release: Valley Health Earns Stroke Center Certification"},
        {PW_FT_TEXT, NULL, "Volunteer Opportunities in Hospice Care"},
        {PW_FT_TEXT, NULL, "Parking and Directions | Cancer Center"},
        {PW_FT_TEXT, NULL, "Parking for the Heart and Vascular Institute"},
        {PW_FT_TEXT, NULL, "Registered Nurse - Oncology | Careers | St. Mary's"},
        {PW_FT_TEXT, NULL, "Give to Pediatric Oncology"},
        {PW_FT_TEXT, NULL, "Cancer Center Parking \xE2\x80\x93 Valley Health"},
        {PW_FT_JSON_VALUE, "dt", "Registered Nurse, Oncology | Careers | Valley Health"},
        {PW_FT_JSON_VALUE, "page_title", "Ways to Give \xC2\xBB Pediatric Oncology Fund"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_quiet(&cases[i]);
}

/* Identifiers on a general page stay hits. */
static void test_identifiers_stay(void)
{
    dt_scan(&T, NULL,
            "https://www.valleyhealth-example.org/careers/apply?email=jane.doe%40example.com"
            "&ssn=123-45-6789&dept=oncology",
            PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_EMAIL) != NULL);
    CHECK(dt_find(&T, PW_PHI_SSN) != NULL);
    CHECK_INT(health_or_care(&T), 0);
    dt_scan(&T, NULL, "Oncology Nurse - Careers - contact jane.doe@example.com", PW_FT_TEXT);
    CHECK(dt_find(&T, PW_PHI_EMAIL) != NULL);
    CHECK_INT(health_or_care(&T), 0);
    dt_scan(&T, NULL, "https://www.valleyhealth-example.org/news/patients/88213377", PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_RECORD_ID) != NULL);
    /* a page's own canary is found on a careers page too */
    pw_canary c = {"email", "kim.lee@example.com", PW_CANARY_EMAIL};
    dt_ctx t;
    CHECK(dt_open(&t, &c, 1));
    dt_scan(&t, NULL, "https://jobs.valleyhealth-example.org/apply?e=kim.lee%40example.com",
            PW_FT_URL);
    CHECK(dt_find(&t, PW_PHI_CANARY) != NULL);
    dt_close(&t);
}

/* Health pages whose URL or title holds a page word in another sense keep their hits. */
static void test_health_pages_stay(void)
{
    static const struct {
        page_case c;
        pw_phi_category cat;
        const char *hit;
    } cases[] = {
        /* the page word comes after the health slug: only what follows it is quiet */
        {{PW_FT_URL, NULL, "https://www.valleyhealth-example.org/conditions/breast-cancer/news"},
         PW_PHI_HEALTH,
         "breast-cancer"},
        /* a slug that merely holds the word */
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/health-library/"
          "returning-to-your-job-after-a-heart-attack"},
         PW_PHI_HEALTH,
         "heart-attack"},
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/conditions/depression/"
          "jobs-and-depression"},
         PW_PHI_HEALTH,
         "depression"},
        /* a parameter value is no path slug */
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/conditions/breast-cancer"
          "?utm_source=news&utm_campaign=careers"},
         PW_PHI_HEALTH,
         "breast-cancer"},
        /* news.<site> is any news site, and events, research are left out on purpose */
        {{PW_FT_URL, NULL, "https://news.example.com/health/breast-cancer-screening"},
         PW_PHI_HEALTH,
         "breast-cancer-screening"},
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/events/breast-cancer-support-group"},
         PW_PHI_HEALTH,
         "cancer-support-group"},
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/research/clinical-trials/"
          "multiple-sclerosis"},
         PW_PHI_HEALTH,
         "multiple-sclerosis"},
        /* a careers page's return URL is judged by its own path */
        {{PW_FT_URL, NULL,
          "https://www.valleyhealth-example.org/careers/login?returnUrl=https%3A"
          "%2F%2Fwww.valleyhealth-example.org%2Fconditions%2Fbreast-cancer"},
         PW_PHI_HEALTH,
         "breast-cancer"},
        /* a careers page's beacon beside a health page's referrer */
        {{PW_FT_URL, NULL,
          "https://www.facebook.com/tr/?id=1&ev=PageView&dl=https%3A%2F%2F"
          "www.valleyhealth-example.org%2Fcareers%2F&rl=https%3A%2F%2F"
          "www.valleyhealth-example.org%2Fconditions%2Fhiv%2F"},
         PW_PHI_HEALTH,
         "hiv"},
        /* titles: "job" is no title word, "news" after a health term is a topic's news */
        {{PW_FT_TEXT, NULL, "Returning to Your Job After a Heart Attack | Valley Health"},
         PW_PHI_HEALTH,
         "Heart Attack"},
        {{PW_FT_TEXT, NULL, "Job Stress and Depression | Valley Health"},
         PW_PHI_HEALTH,
         "Depression"},
        {{PW_FT_TEXT, NULL, "Diabetes News | Valley Health"}, PW_PHI_HEALTH, "Diabetes"},
        {{PW_FT_TEXT, NULL, "News for Patients With Diabetes"}, PW_PHI_HEALTH, "Diabetes"},
        {{PW_FT_JSON_VALUE, "note", "I need an insulin refill where is parking"},
         PW_PHI_HEALTH,
         "insulin refill"},
        {{PW_FT_TEXT, NULL, "Volunteer for an Alzheimer's Study"}, PW_PHI_HEALTH, "Alzheimer's"},
        /* what a visitor typed, a message and a whole menu are no titles */
        {{PW_FT_FORM_VALUE, "message", "I need an insulin refill: where is parking"},
         PW_PHI_HEALTH,
         "insulin refill"},
        {{PW_FT_TEXT, NULL, "I was diagnosed with breast cancer. Parking"},
         PW_PHI_HEALTH,
         "diagnosed with breast cancer"},
        {{PW_FT_TEXT, NULL, "Home | Careers | News | Breast Cancer | Pay My Bill"},
         PW_PHI_HEALTH,
         "Breast Cancer"},
        {{PW_FT_URL, NULL, "https://www.valleyhealth-example.org/search?q=oncology+jobs"},
         PW_PHI_CARE_INTENT,
         "oncology+jobs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_health_text(&cases[i].c, cases[i].cat, cases[i].hit);
}

/* Texts without a separator or sentence mark are one component (page_context.c looks for the
 * marks once and skips both walks then): such a title is judged whole, both ways, and a text
 * whose only mark is at its very end or start is judged as before. */
static void test_titles_without_marks(void)
{
    static const page_case quiet[] = {
        {PW_FT_TEXT, NULL, "Volunteer Opportunities in Hospice Care"},
        {PW_FT_TEXT, NULL, "Parking for the Cancer Center"},
        {PW_FT_TEXT, NULL, "Breast Cancer Screening Careers"},
        {PW_FT_TEXT, NULL, "  Breast Cancer Screening Careers  "},
        {PW_FT_TEXT, NULL, "Breast Cancer Screening Careers:"},
        {PW_FT_TEXT, NULL, "-Breast Cancer Screening Careers"},
    };
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        expect_quiet(&quiet[i]);
    static const page_case stay[] = {
        {PW_FT_TEXT, NULL, "Breast Cancer Screening"},
        {PW_FT_TEXT, NULL, "Breast Cancer Screening and Other Oncology Nurse Careers"},
        {PW_FT_TEXT, NULL, "Breast Cancer Screening Careers. Apply"},
    };
    for (size_t i = 0; i < sizeof stay / sizeof stay[0]; i++)
        expect_health_text(&stay[i], PW_PHI_HEALTH, "Breast Cancer Screening");
}

/* The label of an identifier is no portal intent; the portal phrase alone still is. */
static void test_record_labels(void)
{
    static const char *const labels[] = {
        "Medical record number: MR507255", "Medical Record Number (MRN) 12345678",
        "Medical record no. 507255", "Patient account number: 44881293",
        "Health record number 12345678"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        dt_scan(&T, NULL, labels[i], PW_FT_TEXT);
        CHECK(dt_find(&T, PW_PHI_RECORD_ID) != NULL);
        CHECK_INT(dt_count(&T, PW_PHI_CARE_INTENT), 0);
    }
    page_case c = {PW_FT_TEXT, NULL, "Request your medical records online"};
    expect_health_text(&c, PW_PHI_CARE_INTENT, "medical records");
}

/* One event: each field gets what its own scan gives (the title rule runs per field). */
static void test_event(void)
{
    pw_detect_field f[] = {
        {"dt", "Oncology Nurse - Careers", 24, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {"cd[buttonText]", "Breast Cancer Screening", 23, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL,
         0},
        {"cd[section]", "Careers in Cardiology", 21, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {"dl", "https://h.example.org/careers/oncology/nurse", 44, PW_FT_URL, PW_OBJECT_UNKNOWN,
         NULL, 0},
    };
    CHECK_INT(pw_detect_scan_event(T.d, T.s, &T.a, f, 4, NULL), PW_OK);
    CHECK_INT(f[0].n_hits, 0);
    CHECK(f[1].n_hits >= 1 && f[1].hits[0].category == PW_PHI_HEALTH);
    CHECK_INT(f[2].n_hits, 0);
    CHECK_INT(f[3].n_hits, 0);
}

/* Every path word of data/vocab/page/general_pages.tsv, written as a slug ("press-releases"),
 * makes its URL a general page from that slug on: each is reached by the slug check, whatever
 * its first letter (the words are looked up by first letter). */
static void test_every_path_word(void)
{
    char path[1024], line[512], url[640];
    snprintf(path, sizeof path, "%s/data/vocab/page/general_pages.tsv", PW_SRC_DIR);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    int words = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        char *places = tab + 1, *end = strchr(places, '\t');
        if (end)
            *end = '\0';
        if (!strstr(places, "path"))
            continue;
        for (char *c = line; *c; c++)
            if (*c == ' ')
                *c = '-';
        snprintf(url, sizeof url, "https://www.example-hospital.org/p/%s/today", line);
        size_t slug = 99;
        int general = pw_detect_general_page(url, strlen(url), &slug);
        if (!general || slug != 2)
            fprintf(stderr, "  path word not found: %s\n", url);
        CHECK(general && slug == 2); /* 1-based: the slug after /p/ */
        words++;
    }
    fclose(f);
    CHECK(words >= 40);
}

static void test_setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void test_teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(test_setup), PW_TEST(test_general_urls), PW_TEST(test_general_titles),
             PW_TEST(test_titles_without_marks), PW_TEST(test_identifiers_stay),
             PW_TEST(test_health_pages_stay), PW_TEST(test_record_labels), PW_TEST(test_event),
             PW_TEST(test_every_path_word), PW_TEST(test_teardown))
