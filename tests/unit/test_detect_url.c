/*
 * test_detect_url.c — URL mode: path slugs and query parameters scanned with their keys as
 * context, decoded layer by layer, with every span pointing into the original (encoded) URL;
 * phrases that run across path slugs ("/pharmacy/refill", "/portal/login").
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

/* Not a single hit in any of the URLs. */
static void expect_no_hits(const char *const *urls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dt_scan(&T, NULL, urls[i], PW_FT_URL);
        if (T.n)
            fprintf(stderr, "  %s: %s hit \"%s\"\n", urls[i], pw_phi_category_name(T.h[0].category),
                    dt_text(&T, &T.h[0]));
        CHECK_INT(T.n, 0);
    }
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
        /* shapes seen in real hospital HARs (The Markup's Blacklight scans) */
        "https://fonts.gstatic.com/s/catamaran/v8/o-0bIpQoyXQa2RxT7-5B6Ryxs2E",
        "https://connect.facebook.net/signals/config/616904678765230?v=2.9.47&r=stable",
        "https://edge.api.brightcove.com/playback/v1/accounts/5502557046001/videos/5805840154001",
        "https://p.example.net/i?pub=hospital&rev=v8.28.8-wp&ln=en&pc=men&cb=0&ab=-",
    };
    expect_no_hits(urls, sizeof urls / sizeof urls[0]);
}

/* A care-intent hit of the given subtype whose text is exactly want (NULL if none). */
static const pw_hit *care_hit(const char *subtype, const char *want)
{
    const pw_hit *h = find_text(want);
    if (!h || h->category != PW_PHI_CARE_INTENT || strcmp(h->subtype, subtype) != 0) {
        fprintf(stderr, "  no care-intent/%s \"%s\" in %s\n", subtype, want, T.str);
        return NULL;
    }
    return h;
}

/* Phrases across path slugs are one phrase: "/pharmacy/refill", "/portal/login". */
static void test_path_phrases(void)
{
    dt_scan(&T, NULL, "https://www.coastal-example.org/pharmacy/refill?rx=RX77120455", PW_FT_URL);
    const pw_hit *h = care_hit("refill", "pharmacy/refill");
    CHECK(h != NULL);
    if (h) {
        CHECK_INT(h->start, 32);
        CHECK_INT(h->end, 47);
        CHECK_STR(h->normalized, "pharmacy refill");
    }
    CHECK_INT(dt_count(&T, PW_PHI_CARE_INTENT), 1); /* no second hit on "pharmacy" alone */

    dt_scan(&T, NULL,
            "https://www.ridgeview-example.org/portal/login?returnUrl=%2Fportal%2Fmessages",
            PW_FT_URL);
    CHECK(care_hit("portal", "portal/login") != NULL);
    CHECK(care_hit("portal", "portal%2Fmessages") != NULL);
    dt_scan(&T, NULL, "https://h.org/Portal//Sign-In", PW_FT_URL);
    CHECK(care_hit("portal", "Portal//Sign-In") != NULL);
    dt_scan(&T, NULL, "https://h.org/patient/portal/", PW_FT_URL);
    CHECK(care_hit("portal", "patient/portal") != NULL);
    dt_scan(&T, NULL, "https://h.org/mychart/", PW_FT_URL);
    CHECK(care_hit("portal", "mychart") != NULL);

    /* inside a tracker's dl=: the span is the encoded text of the original */
    const char *u = "https://www.facebook.com/tr/?id=1&ev=PageView&dl=https%3A%2F%2Fh.org%2Fportal%"
                    "2Flogin%3Fx%3D1";
    dt_scan(&T, NULL, u, PW_FT_URL);
    h = care_hit("portal", "portal%2Flogin");
    CHECK(h != NULL);
    if (h)
        CHECK_INT(h->start, (long)(strstr(u, "portal%2Flogin") - u));
    /* percent-encoded words inside the slugs */
    dt_scan(&T, NULL, "https://h.org/prescription%20refill/status", PW_FT_URL);
    CHECK(care_hit("refill", "prescription%20refill") != NULL);
    dt_scan(&T, NULL, "https://h.org/rx/refill%2Dstatus", PW_FT_URL);
    CHECK(care_hit("refill", "rx/refill") != NULL);
}

/* Bare "portal" is no care intent, and phrases never join across '?', '#', '&' or the host. */
static void test_path_phrase_limits(void)
{
    static const char *const urls[] = {
        "https://h.org/portal?next=login",
        "https://h.org/portal#login",
        "https://h.org/suppliers/portal",
        "https://h.org/supplier-portal/",
        "https://portal.h.org/login",
        "https://h.org/x?a=portal&b=login",
        "/portal/members/ABC/claims",
        "https://h.org/news/portal/",
        /* a generic phrase ("supplier portal") shields the "portal login" after it */
        "https://h.org/vendors/supplier-portal/login",
        "https://h.org/employee-portal/sign-in",
    };
    expect_no_hits(urls, sizeof urls / sizeof urls[0]);
    /* a cross-slug scan adds nothing that a slug found on its own */
    dt_scan(&T, NULL, "https://h.org/appointments/new", PW_FT_URL);
    CHECK_INT(T.n, 1);
    CHECK(care_hit("scheduling", "appointments") != NULL);
}

/* Redaction replaces every slug a cross-slug phrase overlaps and keeps the URL's shape. */
static void test_redact_path_phrase(void)
{
    pw_buf b;
    pw_buf_init(&b);
    const char *u = "https://www.coastal-example.org/pharmacy/refill?rx=RX77120455&patient_id="
                    "MRN00412299";
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, u, strlen(u), PW_FT_URL, &b, NULL), PW_OK);
    CHECK_STR(b.data,
              "https://www.coastal-example.org/[CARE]/[CARE]?rx=RX77120455&patient_id=[ID]");
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

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_spans_in_original), PW_TEST(test_search_and_plus),
             PW_TEST(test_relative_and_fragment), PW_TEST(test_no_hits_on_general_urls),
             PW_TEST(test_path_phrases), PW_TEST(test_path_phrase_limits),
             PW_TEST(test_redact_path_phrase), PW_TEST(teardown))
