/* test_decode_meta.c — the Meta Pixel decoder on real request shapes: GET pixel with a long dl,
 * urlencoded SubscribedButtonClick POST with JSON features, sendBeacon multipart, noscript GET,
 * missing ev, double-encoded values, '+' as space, UTF-8 button text, a 64 KiB body. */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static void get_pixel_long_dl(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* a 3 KB page URL with a search query, as a GET image pixel sends it */
    char url[8192];
    int n =
        snprintf(url, sizeof url,
                 "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%%3A%%2F%%2F"
                 "www.example-hospital.org%%2Fsearch%%3Fq%%3Dhiv%%2Btesting%%26page%%3D2%%26x%%3D");
    for (int i = 0; i < 3000; i++)
        url[n++] = 'a';
    snprintf(url + n, sizeof url - (size_t)n,
             "&rl=https%%3A%%2F%%2Fwww.google.com%%2F&if=false&ts=1700000000&sw=1920&sh=1080"
             "&v=2.9.106&r=stable&ec=0&o=4126&fbp=fb.1.1700.42&it=1700&coo=false&rqm=GET");
    decoded d = decode_get(c, &a, url);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->tracker->id, "meta-pixel");
        CHECK_STR(b->account_id, "1234567890");
        CHECK_STR(b->event_name, "PageView");
        CHECK_STR(b->transport, "get");
        CHECK_INT(b->automatic, 0);
        CHECK_INT(b->kind, PW_BEACON_EVENT);
        CHECK_INT(field_kind(b, "dl"), PW_FIELD_PAGE_URL);
        CHECK_INT(strlen(field_value(b, "dl")), strlen("https://www.example-hospital.org/search"
                                                       "?q=hiv+testing&page=2&x=") +
                                                    3000);
        CHECK_STR(field_value(b, "dl?q"), "hiv testing");
        CHECK_INT(field_kind(b, "dl?q"), PW_FIELD_SEARCH_TERM);
        CHECK_INT(field_kind(b, "rl"), PW_FIELD_REFERRER);
        CHECK_INT(field_kind(b, "fbp"), PW_FIELD_DEVICE_ID);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void form_post_button_click(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t len;
    char *body = test_data("meta_button_click.form", &len);
    decoded d = decode_req(c, &a, "POST", "https://www.facebook.com/tr/",
                           "https://www.example-hospital.org/breast-health/appointment",
                           "application/x-www-form-urlencoded", body, len);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->transport, "form-post");
        CHECK_STR(b->event_name, "SubscribedButtonClick");
        CHECK_INT(b->automatic, 1);
        CHECK_STR(field_value(b, "cd[buttonText]"), "Schedule my mammogram");
        CHECK_INT(field_kind(b, "cd[buttonText]"), PW_FIELD_BUTTON_TEXT);
        /* JSON features parsed, raw kept */
        CHECK(field(b, "cd[buttonFeatures]") != NULL);
        CHECK_STR(field_value(b, "cd[buttonFeatures].innerText"), "Schedule my mammogram");
        CHECK_INT(field_kind(b, "cd[buttonFeatures].innerText"), PW_FIELD_BUTTON_TEXT);
        CHECK_INT(field_kind(b, "cd[buttonFeatures].destination"), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(b, "cd[formFeatures].1.name"), "visit_reason");
        CHECK_INT(field_kind(b, "cd[formFeatures].1.name"), PW_FIELD_FORM_META);
        CHECK_INT(field_kind(b, "cd[formFeatures].0.placeholder"), PW_FIELD_FORM_META);
        CHECK_STR(field_value(b, "cd[pageFeatures].title"),
                  "Request an Appointment | Breast Health Center");
        CHECK_INT(field_kind(b, "cd[pageFeatures].title"), PW_FIELD_PAGE_TITLE);
        CHECK_INT(field_kind(b, "cd[pageFeatures]"), PW_FIELD_CUSTOM_DATA);
    }
    free(body);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void multipart_sendbeacon(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t len;
    char *body = test_data("meta_sendbeacon.multipart", &len);
    decoded d =
        decode_req(c, &a, "POST", "https://www.facebook.com/tr/",
                   "https://www.example-hospital.org/appointments/request",
                   "multipart/form-data; boundary=----WebKitFormBoundaryq4Xb9Yz2", body, len);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->transport, "multipart");
        CHECK_STR(b->account_id, "998877665544");
        CHECK_STR(b->event_name, "SubscribedButtonClick");
        CHECK_INT(b->automatic, 1);
        CHECK_STR(field_value(b, "dl"),
                  "https://www.example-hospital.org/appointments/request?dept=oncology&first=Jane");
        CHECK_INT(field_kind(b, "udff[em]"), PW_FIELD_USER_DATA);
        CHECK_INT(field(b, "udff[em]") ? field(b, "udff[em]")->hashed : 0, 1);
        CHECK_STR(field_value(b, "cd[formFeatures].1.name"), "date_of_birth");
        CHECK_INT(field_kind(b, "cd[buttonText]"), PW_FIELD_BUTTON_TEXT);
    }
    /* the same body cut short: a parse error with an offset, not a crash */
    pw_arena_reset(&a);
    decoded t =
        decode_req(c, &a, "POST", "https://www.facebook.com/tr/", NULL,
                   "multipart/form-data; boundary=----WebKitFormBoundaryq4Xb9Yz2", body, len / 2);
    CHECK_INT(t.st, PW_ERR_PARSE);
    CHECK(strstr(t.err.msg, "byte") != NULL);
    CHECK(strstr(t.err.msg, "meta-pixel") != NULL);
    free(body);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void noscript_and_missing_ev(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a, "https://www.facebook.com/tr?id=42&ev=PageView&noscript=1");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].account_id, "42");
        CHECK_STR(d.b[0].transport, "get");
    }
    /* cookies sent along identify the visitor */
    static const pw_header h[] = {{"Cookie", "c_user=100012345678; datr=AbCd; fr=0x1.2"}};
    pw_request r = {.method = "GET",
                    .url = "https://www.facebook.com/tr/?id=42&ev=Lead",
                    .headers = h,
                    .n_headers = 1};
    pw_beacon *bs;
    size_t nb;
    CHECK_INT(pw_decode(c, &a, &r, &bs, &nb, NULL), PW_OK);
    CHECK_INT(nb, 1);
    if (nb == 1) {
        CHECK_STR(field_value(&bs[0], "cookie:c_user"), "100012345678");
        CHECK_INT(field_kind(&bs[0], "cookie:c_user"), PW_FIELD_USER_DATA);
        CHECK_INT(field_kind(&bs[0], "cookie:datr"), PW_FIELD_DEVICE_ID);
        CHECK_STR(field_value(&bs[0], "cookie:fr"), "0x1.2");
    }
    decoded m = decode_get(c, &a, "https://www.facebook.com/tr/?id=42&dl=https%3A%2F%2Fx.org%2F");
    CHECK_INT(m.st, PW_OK);
    CHECK_INT(m.n, 1);
    if (m.n == 1)
        CHECK(m.b[0].event_name == NULL);
    /* facebook.com pages that are not the pixel are not Meta Pixel beacons */
    decoded p = decode_get(c, &a, "https://www.facebook.com/travel?x=1");
    CHECK(p.n == 0 || strcmp(p.b[0].tracker->id, "meta-pixel") != 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void encodings(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* dl double-encoded: one layer comes off; the inner query's own layer off for the search */
    decoded d =
        decode_get(c, &a,
                   "https://www.facebook.com/tr/?id=1&ev=Search&dl=https%253A%252F%252Fh.org"
                   "&rl=https%3A%2F%2Fh.org%2Fs%3Fq%3Dchest%2520pain"
                   "&cd[buttonText]=Prendre+rendez-vous+%C3%A0+l%E2%80%99h%C3%B4pital"
                   "&cd[search_string]=a%2Bb+c");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(field_value(b, "dl"), "https%3A%2F%2Fh.org");
        CHECK_STR(field_value(b, "rl?q"), "chest pain");
        CHECK_STR(field_value(b, "cd[buttonText]"),
                  "Prendre rendez-vous \xc3\xa0 l\xe2\x80\x99h\xc3\xb4pital");
        CHECK_STR(field_value(b, "cd[search_string]"), "a+b c");
        CHECK_INT(field_kind(b, "cd[search_string]"), PW_FIELD_CUSTOM_DATA);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void big_body(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t cap = 70000, n = 0;
    char *body = malloc(cap);
    n += (size_t)snprintf(body, cap, "id=7&ev=Lead&cd[notes]=");
    while (n < 65536)
        body[n++] = 'x';
    decoded d = decode_req(c, &a, "POST", "https://www.facebook.com/tr/", NULL,
                           "application/x-www-form-urlencoded", body, n);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1)
        CHECK_INT(field(&d.b[0], "cd[notes]")->value_len,
                  65536 - strlen("id=7&ev=Lead&cd[notes]="));
    free(body);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void hostile_features(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* truncated JSON in cd[buttonFeatures]: raw kept, no error */
    decoded d = decode_get(c, &a,
                           "https://www.facebook.com/tr/?id=1&ev=SubscribedButtonClick"
                           "&cd[buttonFeatures]=%7B%22innerText%22%3A%22Bo");
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK(field(&d.b[0], "cd[buttonFeatures]") != NULL);
        CHECK(field(&d.b[0], "cd[buttonFeatures].innerText") == NULL);
    }
    /* nesting deeper than 64: a limit error naming the field */
    char url[1024];
    int n = snprintf(url, sizeof url, "https://www.facebook.com/tr/?id=1&cd[Meta]=");
    for (int i = 0; i < 70; i++)
        n += snprintf(url + n, sizeof url - (size_t)n, "%%5B");
    decoded deep = decode_get(c, &a, url);
    CHECK_INT(deep.st, PW_ERR_LIMIT);
    CHECK(strstr(deep.err.msg, "cd[Meta]") != NULL);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void microdata(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* the automatic Microdata event: page metadata as JSON-valued custom data */
    const char *body =
        "id=5&ev=Microdata&es=automatic&dl=https%3A%2F%2Fh.org%2Fdoctors%2Fjane-roe"
        "&cd[DataLayer]=%5B%7B%22event%22%3A%22gtm.js%22%2C%22patientType%22%3A%22new%22%7D%5D"
        "&cd[Meta]=%7B%22title%22%3A%22Dr.%20Jane%20Roe%2C%20Oncology%22%2C%22meta%3Adescription"
        "%22%3A%22Book%20with%20Dr.%20Roe%22%7D"
        "&cd[OpenGraph]=%7B%22og%3Aurl%22%3A%22https%3A%2F%2Fh.org%2Fdoctors%2Fjane-roe%22%7D"
        "&cd[Schema.org]=%5B%5D&cd[JSON-LD]=%5B%7B%22%40type%22%3A%22Physician%22%2C%22name%22"
        "%3A%22Jane%20Roe%22%7D%5D";
    decoded d = decode_req(c, &a, "POST", "https://www.facebook.com/tr/", NULL,
                           "application/x-www-form-urlencoded", body, strlen(body));
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->event_name, "Microdata");
        CHECK_STR(field_value(b, "cd[Meta].title"), "Dr. Jane Roe, Oncology");
        CHECK_INT(field_kind(b, "cd[Meta].title"), PW_FIELD_PAGE_TITLE);
        CHECK_INT(field_kind(b, "cd[OpenGraph].og:url"), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(b, "cd[DataLayer].0.patientType"), "new");
        CHECK_INT(field_kind(b, "cd[DataLayer].0.patientType"), PW_FIELD_CUSTOM_DATA);
        CHECK_STR(field_value(b, "cd[JSON-LD].0.@type"), "Physician");
        CHECK_INT(field_kind(b, "cd[JSON-LD]"), PW_FIELD_CUSTOM_DATA);
        /* each JSON member carries its object's kind for the PHI engine */
        const pw_field *f = field(b, "cd[DataLayer].0.patientType");
        CHECK(f && f->object == PW_OBJECT_UNKNOWN); /* "event": a lead has one too */
        f = field(b, "cd[Meta].title");
        CHECK(f && f->object == PW_OBJECT_UNKNOWN); /* "title": no product's member */
        f = field(b, "cd[JSON-LD].0.name");
        CHECK(f && f->object == PW_OBJECT_UNKNOWN);
        f = field(b, "id");
        CHECK(f && f->object == PW_OBJECT_UNKNOWN); /* a form pair */
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(microdata), PW_TEST(get_pixel_long_dl), PW_TEST(form_post_button_click),
             PW_TEST(multipart_sendbeacon), PW_TEST(noscript_and_missing_ev), PW_TEST(encodings),
             PW_TEST(big_body), PW_TEST(hostile_features))
