/* test_decode_party.c — first vs third party by registrable domain (libpsl). */
#include <pthread.h>

#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static void third_party(void)
{
    const char *page = "https://www.example-hospital.org/find-a-doctor";
    CHECK_INT(pw_is_third_party(page, "https://cdn.example-hospital.org/app.js"), 0);
    CHECK_INT(pw_is_third_party(page, "https://EXAMPLE-HOSPITAL.ORG./x"), 0);
    CHECK_INT(pw_is_third_party(page, "https://example-hospital.org.evil.com/x"), 1);
    CHECK_INT(pw_is_third_party(page, "https://www.facebook.com/tr"), 1);
    CHECK_INT(pw_is_third_party(page, "http://www.example-hospital.org:8080/x"), 0);
    /* co.uk: different registrable domains under one public suffix */
    CHECK_INT(pw_is_third_party("https://www.nhs-trust.co.uk/", "https://cdn.nhs-trust.co.uk/"), 0);
    CHECK_INT(pw_is_third_party("https://www.nhs-trust.co.uk/", "https://tracker.co.uk/"), 1);
    CHECK_INT(pw_is_third_party("https://a.github.io/", "https://b.github.io/"), 1);
    /* IPs and localhost: the same host only */
    CHECK_INT(pw_is_third_party("http://127.0.0.1:8080/", "http://127.0.0.1:9090/x"), 0);
    CHECK_INT(pw_is_third_party("http://127.0.0.1/", "http://127.0.0.2/x"), 1);
    CHECK_INT(pw_is_third_party("http://localhost:3000/", "http://localhost/api"), 0);
    CHECK_INT(pw_is_third_party("http://[::1]:8080/", "http://[::1]/x"), 0);
    CHECK_INT(pw_is_third_party("http://localhost/", "https://www.google-analytics.com/g"), 1);
    /* no page: assume it leaves the site; no URL: nothing leaves */
    CHECK_INT(pw_is_third_party(NULL, "https://x.org/"), 1);
    CHECK_INT(pw_is_third_party(page, "data:image/gif;base64,R0lGOD"), 0);
}

static void registrable(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(pw_registrable_domain(&a, "cdn.Example-Hospital.org"), "example-hospital.org");
    CHECK_STR(pw_registrable_domain(&a, "a.b.example.co.uk"), "example.co.uk");
    CHECK(pw_registrable_domain(&a, "co.uk") == NULL);
    CHECK(pw_registrable_domain(&a, "localhost") == NULL);
    CHECK(pw_registrable_domain(&a, "10.0.0.1") == NULL);
    pw_arena_free(&a);
}

static void decode_respects_party(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* first-party request with data: not a beacon */
    decoded f = decode_req(c, &a, "GET", "https://cdn.example-hospital.org/api?q=flu",
                           "https://www.example-hospital.org/", NULL, NULL, 0);
    CHECK_INT(f.n, 0);
    /* third party, unknown, with data: the generic decoder keeps its fields */
    decoded t = decode_req(c, &a, "GET",
                           "https://example-hospital.org.evil.com/c?email=jane%40x.org&page=https"
                           "%3A%2F%2Fwww.example-hospital.org%2Fsearch%3Fq%3Dflu",
                           "https://www.example-hospital.org/", NULL, NULL, 0);
    CHECK_INT(t.n, 1);
    if (t.n == 1) {
        CHECK_STR(t.b[0].tracker->id, "unknown-third-party");
        CHECK_INT(field_kind(&t.b[0], "email"), PW_FIELD_USER_DATA);
        CHECK_INT(field_kind(&t.b[0], "page"), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(&t.b[0], "page?q"), "flu");
    }
    /* third party without data (a font, an image): nothing to report */
    decoded n = decode_req(c, &a, "GET", "https://fonts.example-cdn.net/font.woff2",
                           "https://www.example-hospital.org/", NULL, NULL, 0);
    CHECK_INT(n.n, 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* One catalog shared by threads, each with its own arena: same answers, no interference. */
static void *decode_many(void *arg)
{
    const pw_catalog *c = arg;
    pw_arena a;
    pw_arena_init(&a, 0);
    long ok = 0;
    for (int i = 0; i < 2000; i++) {
        decoded d = decode_get(c, &a,
                               "https://www.facebook.com/tr/?id=9&ev=Search&dl=https%3A%2F%2Fh.org"
                               "%2F%3Fq%3Dx");
        ok += d.n == 1 && strcmp(d.b[0].event_name, "Search") == 0 &&
              strcmp(field_value(&d.b[0], "dl?q"), "x") == 0;
        ok += pw_is_third_party("https://www.example-hospital.org/",
                                "https://cdn.example-hospital.org/") == 0;
        pw_arena_reset(&a);
    }
    pw_arena_free(&a);
    return (void *)ok;
}

static void shared_catalog_threads(void)
{
    pw_catalog *c = test_catalog();
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, decode_many, c);
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        CHECK_INT((long)ok, 4000);
    }
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(shared_catalog_threads), PW_TEST(third_party), PW_TEST(registrable),
             PW_TEST(decode_respects_party))
