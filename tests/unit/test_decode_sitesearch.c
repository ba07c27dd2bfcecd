/* test_decode_sitesearch.c — hosted site-search services (decoder_sitesearch.c): the visitor's
 * query in each vendor's own parameter (Algolia query, also inside a multi-query body's params
 * string; Coveo q and queryText; Yext input; Swiftype q; Elastic App Search query; Google
 * Programmable Search q) is a SEARCH_TERM field and the application/engine ID the account,
 * while the same parameter names sent to other third parties keep their generic meaning. */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *const PAGE = "https://www.example-hospital.org/find-a-doctor";

/* The one beacon of a request, checked to go to tracker `id`, or NULL. */
static const pw_beacon *one(const decoded *d, const char *id)
{
    CHECK_INT(d->st, PW_OK);
    CHECK_INT(d->n, 1);
    if (d->n != 1)
        return NULL;
    CHECK_STR(d->b[0].tracker->id, id);
    CHECK_STR(d->b[0].tracker->decoder, "sitesearch");
    return &d->b[0];
}

static void algolia(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *body = "{\"requests\":[{\"indexName\":\"providers\",\"params\":"
                       "\"query=knee%20pain&hitsPerPage=20&facetFilters=%5B%5D\"},"
                       "{\"indexName\":\"pages\",\"query\":\"knee replacement\"}]}";
    decoded d = decode_req(c, &a, "POST",
                           "https://hospapp-dsn.algolia.net/1/indexes/*/queries?x-algolia-agent="
                           "Algolia%20for%20JavaScript&x-algolia-api-key=0123abcd"
                           "&x-algolia-application-id=HOSPAPP",
                           PAGE, "application/x-www-form-urlencoded", body, strlen(body));
    const pw_beacon *b = one(&d, "algolia");
    if (b) {
        CHECK_STR(b->transport, "json"); /* JSON sent as a form type: sniffed */
        CHECK_STR(b->account_id, "HOSPAPP");
        CHECK_STR(field_value(b, "requests.0.params.query"), "knee pain");
        CHECK_INT(field_kind(b, "requests.0.params.query"), PW_FIELD_SEARCH_TERM);
        CHECK_INT(field_kind(b, "requests.0.params.hitsPerPage"), PW_FIELD_OTHER);
        CHECK_INT(field_kind(b, "requests.1.query"), PW_FIELD_SEARCH_TERM);
        CHECK_INT(field_kind(b, "x-algolia-api-key"), PW_FIELD_OTHER);
        CHECK_INT(count_kind(b, PW_FIELD_SEARCH_TERM), 2);
    }
    decoded g = decode_get(c, &a,
                           "https://hospapp-1.algolianet.com/1/indexes/providers?query=cardiology"
                           "&x-algolia-application-id=HOSPAPP&x-algolia-api-key=0123abcd");
    b = one(&g, "algolia");
    if (b)
        CHECK_INT(field_kind(b, "query"), PW_FIELD_SEARCH_TERM);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void coveo_yext_swiftype_google(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *cq =
        "{\"q\":\"breast cancer screening\",\"aq\":\"@source==site\",\"locale\":\"en\"}";
    decoded co = decode_req(c, &a, "POST",
                            "https://platform.cloud.coveo.com/rest/search/v2?organizationId=hosp1",
                            PAGE, "application/json", cq, strlen(cq));
    const pw_beacon *b = one(&co, "coveo");
    if (b) {
        CHECK_STR(b->account_id, "hosp1");
        CHECK_INT(field_kind(b, "q"), PW_FIELD_SEARCH_TERM);
        CHECK_INT(field_kind(b, "aq"), PW_FIELD_OTHER); /* the site's own filter */
    }
    const char *ua = "{\"queryText\":\"mammogram\",\"actionCause\":\"searchboxSubmit\"}";
    decoded cu = decode_req(c, &a, "POST",
                            "https://hosp1.analytics.org.coveo.com/rest/ua/v15/analytics/search",
                            PAGE, "application/json", ua, strlen(ua));
    b = one(&cu, "coveo");
    if (b)
        CHECK_INT(field_kind(b, "queryText"), PW_FIELD_SEARCH_TERM);
    decoded y = decode_get(c, &a,
                           "https://liveapi.yext.com/v2/accounts/me/answers/query?input=diabetes+"
                           "doctor&experienceKey=hosp-search&api_key=abc123&v=20220511&locale=en");
    b = one(&y, "yext-search");
    if (b) {
        CHECK_STR(field_value(b, "input"), "diabetes doctor");
        CHECK_INT(field_kind(b, "input"), PW_FIELD_SEARCH_TERM);
        CHECK_STR(b->account_id, "hosp-search");
    }
    decoded sw = decode_get(c, &a,
                            "https://search-api.swiftype.com/api/v1/public/engines/search.json?"
                            "engine_key=Ab12Cd34&q=mammogram");
    b = one(&sw, "swiftype");
    if (b)
        CHECK_INT(field_kind(b, "q"), PW_FIELD_SEARCH_TERM);
    const char *eq = "{\"query\":\"hip replacement\",\"page\":{\"size\":10}}";
    decoded el = decode_req(c, &a, "POST",
                            "https://hosp.ent.us-east-1.aws.found.io/api/as/v1/engines/site/"
                            "search.json",
                            PAGE, "application/json", eq, strlen(eq));
    b = one(&el, "elastic-app-search");
    if (b)
        CHECK_INT(field_kind(b, "query"), PW_FIELD_SEARCH_TERM);
    decoded gc = decode_get(c, &a,
                            "https://cse.google.com/cse/element/v1?rsz=filtered_cse&num=10&hl=en"
                            "&cx=012345678901234567890%3Aabcdefghijk&q=depression+therapy");
    b = one(&gc, "google-programmable-search");
    if (b) {
        CHECK_INT(field_kind(b, "q"), PW_FIELD_SEARCH_TERM);
        CHECK_STR(b->account_id, "012345678901234567890:abcdefghijk");
    }
    /* Google's other paths on www.google.com stay Google Ads; the CSE loader is a script load */
    decoded ads = decode_get(c, &a, "https://www.google.com/pagead/1p-conversion/123/?q=x");
    CHECK(ads.n == 1 && strcmp(ads.b[0].tracker->id, "google-ads") == 0);
    decoded js =
        decode_req(c, &a, "GET", "https://cse.google.com/cse.js?cx=0123:abc", PAGE, NULL, NULL, 0);
    CHECK(js.n == 1 && js.b[0].kind == PW_BEACON_SCRIPT);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(algolia), PW_TEST(coveo_yext_swiftype_google))
