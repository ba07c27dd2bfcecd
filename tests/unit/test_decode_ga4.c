/* test_decode_ga4.c — GA4 (/g/collect: query + newline-batched body) and Universal Analytics. */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *const GA4_URL =
    "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123XYZ&gtm=45je&_p=1700"
    "&cid=1234567890.1700000000&ul=en-us&sr=1920x1080&uid=patient-778"
    "&dl=https%3A%2F%2Fwww.example-hospital.org%2Fsearch%3Fquery%3Dhiv%2Bclinic"
    "&dr=https%3A%2F%2Fwww.google.com%2F&dt=Search%20results%20%7C%20Example%20Hospital"
    "&sid=1700000000&sct=3&seg=1";

static void batched_body(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t len;
    char *body = test_data("ga4_batch.txt", &len);
    decoded d = decode_req(c, &a, "POST", GA4_URL, "https://www.example-hospital.org/search",
                           "text/plain;charset=UTF-8", body, len);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 3);
    if (d.n == 3) {
        CHECK_STR(d.b[0].tracker->id, "ga4");
        CHECK_STR(d.b[0].event_name, "page_view");
        CHECK_STR(d.b[1].event_name, "view_search_results");
        CHECK_STR(d.b[2].event_name, "form_start");
        for (size_t i = 0; i < 3; i++) {
            CHECK_STR(d.b[i].account_id, "G-ABC123XYZ");
            CHECK_STR(d.b[i].transport, "text");
            CHECK_INT(field_kind(&d.b[i], "dl"), PW_FIELD_PAGE_URL); /* merged from the query */
            CHECK_INT(field_kind(&d.b[i], "cid"), PW_FIELD_DEVICE_ID);
            CHECK_INT(field_kind(&d.b[i], "uid"), PW_FIELD_USER_DATA);
            CHECK_STR(field_value(&d.b[i], "dl?query"), "hiv clinic");
        }
        CHECK_STR(field_value(&d.b[1], "ep.search_term"), "chest pain cardiologist");
        CHECK_INT(field_kind(&d.b[1], "ep.search_term"), PW_FIELD_SEARCH_TERM);
        CHECK(field(&d.b[0], "ep.search_term") == NULL); /* lines do not leak into each other */
        CHECK_INT(field_kind(&d.b[2], "epn.step"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(&d.b[2], "up.patient_type"), PW_FIELD_USER_DATA);
        CHECK_STR(field_value(&d.b[0], "dt"), "Search results | Example Hospital");
        CHECK_INT(field_kind(&d.b[0], "dt"), PW_FIELD_PAGE_TITLE);
        CHECK_INT(field_kind(&d.b[0], "dr"), PW_FIELD_REFERRER);
    }
    free(body);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void get_hit(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    char url[2048];
    snprintf(url, sizeof url, "%s&en=page_view&ep.department=oncology", GA4_URL);
    decoded d = decode_get(c, &a, url);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].event_name, "page_view");
        CHECK_STR(d.b[0].transport, "get");
        CHECK_INT(field_kind(&d.b[0], "ep.department"), PW_FIELD_CUSTOM_DATA);
    }
    /* the other GA4 endpoints */
    decoded e = decode_get(c, &a, "https://analytics.google.com/g/collect?v=2&tid=G-1&en=x");
    CHECK_INT(e.n, 1);
    decoded s = decode_get(c, &a, "https://stats.g.doubleclick.net/g/collect?v=2&tid=G-2&en=y");
    CHECK_INT(s.n, 1);
    if (s.n == 1)
        CHECK_STR(s.b[0].tracker->id, "ga4");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void universal_analytics(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d =
        decode_get(c, &a,
                   "https://www.google-analytics.com/collect?v=1&_v=j101&t=event&tid=UA-1234-1"
                   "&cid=555.666&ec=appointment&ea=submit&el=cardiology&dl=https%3A%2F%2Fh.org"
                   "%2Fbook&dt=Book&cd1=new-patient");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "universal-analytics");
        CHECK_STR(d.b[0].account_id, "UA-1234-1");
        CHECK_STR(d.b[0].event_name, "submit");
        CHECK_INT(field_kind(&d.b[0], "el"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(&d.b[0], "cd1"), PW_FIELD_CUSTOM_DATA);
    }
    decoded p =
        decode_get(c, &a, "https://www.google-analytics.com/j/collect?v=1&t=pageview&tid=UA-9-1");
    CHECK_INT(p.n, 1);
    if (p.n == 1)
        CHECK_STR(p.b[0].event_name, "pageview");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void bad_lines(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* empty lines and CRLF are tolerated; a blank body still yields the query's beacon */
    const char *body = "en=a\r\n\r\nen=b\r\n";
    decoded d = decode_req(c, &a, "POST", GA4_URL, NULL, "text/plain", body, strlen(body));
    CHECK_INT(d.n, 2);
    if (d.n == 2)
        CHECK_STR(d.b[1].event_name, "b");
    decoded e = decode_req(c, &a, "POST", GA4_URL, NULL, "text/plain", "\n\n", 2);
    CHECK_INT(e.n, 1);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(batched_body), PW_TEST(get_hit), PW_TEST(universal_analytics),
             PW_TEST(bad_lines))
