/* test_decode_review.c — decode defects a review of the scanner found: UET's kw (page meta
 * keywords) is no custom data or search term, an ID sync's partner IDs are no account, a script
 * file's directory is no account, and which page-URL parameters are searches (pw_search_param). */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static void uet_keywords(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://bat.bing.com/action/0?ti=5566778&evt=pageLoad&p=https%3A%2F%2Fh"
                           ".org%2F&kw=cancer%2C%20HIV&sw=800");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_INT(field_kind(&d.b[0], "kw"), PW_FIELD_OTHER);
        CHECK_INT(field_kind(&d.b[0], "sw"), PW_FIELD_OTHER);
        CHECK_INT(field_kind(&d.b[0], "p"), PW_FIELD_PAGE_URL);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void partner_ids_are_no_account(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded tapad = decode_get(c, &a,
                               "https://pixel.tapad.com/idsync/ex/receive?partner_id=2910&"
                               "partner_device_id=10598799512341839829");
    CHECK_INT(tapad.n, 1);
    if (tapad.n == 1) {
        CHECK_STR(tapad.b[0].tracker->id, "tapad");
        CHECK(tapad.b[0].account_id == NULL);
        CHECK_STR(field_value(&tapad.b[0], "partner_id"), "2910");
    }
    decoded pub = decode_get(c, &a, "https://ads.pubmatic.com/AdServer/js/cl_partner.html?pid=2");
    if (pub.n == 1)
        CHECK(pub.b[0].account_id == NULL);
    /* LiveRamp (an identity graph, decoder id-graph): its pid names LiveRamp's partner on every
     * endpoint, sync or not (api.rlcdn.com's envelope, as seen in The Markup's HARs) */
    static const char *const liveramp[] = {
        "https://api.rlcdn.com/api/identity/envelope?pid=1405",
        "https://api.rlcdn.com/api/identity?pid=2&rt=envelope",
        "https://pippio.com/api/sync?it=1&pid=500040&iv=93649edf-d962-46e7-b596-b4e6629126ca",
    };
    for (size_t i = 0; i < sizeof liveramp / sizeof liveramp[0]; i++) {
        decoded lr = decode_get(c, &a, liveramp[i]);
        CHECK_INT(lr.n, 1);
        if (lr.n != 1)
            continue;
        CHECK_STR(lr.b[0].tracker->id, "liveramp");
        CHECK(lr.b[0].account_id == NULL);
        CHECK(field_value(&lr.b[0], "pid") != NULL);
    }
    /* a tag that is no sync keeps its account */
    decoded px = decode_get(c, &a, "https://px.example-tracker.net/p.gif?pid=88123&u=x");
    if (px.n == 1)
        CHECK_STR(px.b[0].account_id, "88123");
    /* "/tag/js/gpt.js" is a file, not account "js" */
    decoded gpt = decode_req(c, &a, "GET", "https://securepubads.g.doubleclick.net/tag/js/gpt.js",
                             "https://www.example-hospital.org/", NULL, NULL, 0);
    for (size_t i = 0; i < gpt.n; i++)
        CHECK(gpt.b[i].account_id == NULL || strcmp(gpt.b[i].account_id, "js") != 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void search_params(void)
{
    const char *fad = "/find-a-doctor";
    CHECK(pw_search_param("q", NULL, 0));
    CHECK(pw_search_param("Keyword", "/news", 5));
    CHECK(pw_search_param("condition", fad, strlen(fad)));
    CHECK(pw_search_param("specialty[]", "/doctors", 8));
    CHECK(pw_search_param("treatment", "/en/FindADoctor.aspx", 20));
    CHECK(pw_search_param("service", "/search/results", 15));
    CHECK(!pw_search_param("service", "/appointments/request", 21));
    CHECK(!pw_search_param("condition", NULL, 0));
    CHECK(!pw_search_param("insurance", fad, strlen(fad)));
    CHECK(!pw_search_param("utm_term", fad, strlen(fad)));
}

/* DoubleClick's ad serving and cookie matching is not named like Floodlight, its neighbour. */
static void doubleclick_is_not_floodlight(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded cm = decode_get(c, &a, "https://cm.g.doubleclick.net/pixel?google_nid=x");
    decoded fl = decode_get(c, &a, "https://ad.doubleclick.net/activity;src=77;type=a;cat=b;ord=1");
    CHECK(cm.n == 1 && fl.n == 1);
    if (cm.n == 1 && fl.n == 1) {
        CHECK(strstr(cm.b[0].tracker->product, "Floodlight") == NULL);
        CHECK(strstr(fl.b[0].tracker->product, "Floodlight") != NULL);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(uet_keywords), PW_TEST(partner_ids_are_no_account), PW_TEST(search_params),
             PW_TEST(doubleclick_is_not_floodlight))
