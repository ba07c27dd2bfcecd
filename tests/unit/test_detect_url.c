/*
 * test_detect_url.c — URL mode: path slugs and query parameters scanned with their keys as
 * context, decoded layer by layer, with every span pointing into the original (encoded) URL.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const pw_hit *find_text(const char *want)
{
    for (size_t i = 0; i < T.n; i++)
        if (strlen(want) == T.h[i].end - T.h[i].start &&
            memcmp(T.str + T.h[i].start, want, strlen(want)) == 0)
            return &T.h[i];
    return NULL;
}

static void test_spans_in_original(void)
{
    const char *u = "https://www.facebook.com/tr/?id=123&ev=Lead&dl=https%3A%2F%2Fwww.h.org%"
                    "2Fbook%3Ffirst_name%3DMaria%26email%3Dmaria.l%2540mail.com%26phone%3D617-"
                    "555-0123";
    dt_scan(&T, NULL, u, PW_FT_URL);
    const pw_hit *e = dt_find(&T, PW_PHI_EMAIL);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(dt_text(&T, e), "maria.l%2540mail.com");
        CHECK_STR(e->normalized, "maria.l@mail.com");
    }
    CHECK(find_text("Maria") != NULL);
    CHECK(find_text("617-555-0123") != NULL);
    for (size_t i = 0; i < T.n; i++)
        CHECK(T.h[i].start < T.h[i].end && T.h[i].end <= strlen(u));
    CHECK(dt_find(&T, PW_PHI_RECORD_ID) == NULL); /* the pixel id is no record number */
}

static void test_search_and_plus(void)
{
    dt_scan(&T, NULL, "https://h.org/search?q=chest+pain+after+eating&page=2", PW_FT_URL);
    const pw_hit *s = dt_find(&T, PW_PHI_CARE_INTENT);
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->subtype, "search");
        CHECK_STR(dt_text(&T, s), "chest+pain+after+eating");
        CHECK_STR(s->normalized, "chest pain after eating");
    }
    dt_scan(&T, NULL, "https://h.org/search?q=&page=2", PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_CARE_INTENT) == NULL);
    dt_scan(&T, NULL, "https://h.org/find?searchTerm=Dr%20Who", PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_CARE_INTENT) != NULL);
}

static void test_relative_and_fragment(void)
{
    dt_scan(&T, NULL, "/portal/members/ABC123456/claims#email=a.b%40c.org", PW_FT_URL);
    CHECK(find_text("ABC123456") != NULL);
    CHECK(find_text("a.b%40c.org") != NULL);
    dt_scan(&T, NULL, "https://h.org/app#/patients/778899", PW_FT_URL);
    CHECK(find_text("778899") != NULL);
}

static void test_no_hits_on_general_urls(void)
{
    static const char *const urls[] = {
        "https://www.example-hospital.org/careers/nursing?utm_source=google&utm_medium=cpc",
        "https://www.example-hospital.org/news/2024/05/01/new-parking-garage-opens",
        "https://www.example-hospital.org/visitors/visiting-hours?lang=en&v=1.2.3.4",
        "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1234567890.1699999999"
        "&_p=1699999999123&sr=1920x1080&ul=en-us&_s=1",
        "https://www.facebook.com/tr/?id=1234567890123456&ev=PageView&ts=1699999999123&sw=1920"
        "&sh=1080&v=2.9.106&r=stable&it=1699999998000&coo=false",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        dt_scan(&T, NULL, urls[i], PW_FT_URL);
        if (T.n)
            fprintf(stderr, "  %s: %s hit \"%s\"\n", urls[i], pw_phi_category_name(T.h[0].category),
                    dt_text(&T, &T.h[0]));
        CHECK_INT(T.n, 0);
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

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_spans_in_original), PW_TEST(test_search_and_plus),
             PW_TEST(test_relative_and_fragment), PW_TEST(test_no_hits_on_general_urls),
             PW_TEST(teardown))
