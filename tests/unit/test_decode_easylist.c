/* test_decode_easylist.c — EasyList's host rules as a second filter list: only "||host^" blocking
 * rules (with or without $third-party, resource types, $domain=) report an uncatalogued third
 * party as the "easylist" entry; EasyList's exceptions apply; path and substring rules, popup,
 * document and first-party rules are not used; EasyPrivacy and the catalog take precedence. */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

#define PAGE "https://www.example-hospital.org/"

static pw_catalog *catalog_with(const char *easyprivacy, const char *easylist)
{
    pw_catalog_options o = {.easyprivacy_file = easyprivacy, .easylist_file = easylist};
    pw_catalog *c = NULL;
    pw_err err;
    if (pw_catalog_open(&o, &c, &err) != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    return c;
}

/* "id rule" of the single beacon decoded from a data-less GET, or "(none)". */
static const char *decode_id(const pw_catalog *c, pw_arena *a, const char *url, const char *page)
{
    decoded d = decode_req(c, a, "GET", url, page, NULL, NULL, 0);
    if (d.n != 1)
        return "(none)";
    return pw_arena_sprintf(a, "%s %s", d.b[0].tracker->id,
                            d.b[0].matched_rule ? d.b[0].matched_rule : "-");
}

static void entry_and_counts(void)
{
    pw_catalog *c = catalog_with("", test_data_path("mini_easylist.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    /* adserver databroker typed siteonly notonpage metrics-collector facebook + 3 exceptions */
    CHECK_INT(pw_catalog_easylist_rules(c), 10);
    CHECK_INT(pw_catalog_easyprivacy_rules(c), 0);
    const pw_tracker *t = pw_catalog_find(c, "easylist");
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(t->product, "ad server or data broker (EasyList)");
        CHECK_INT(t->category, PW_CATEGORY_ADVERTISING);
        CHECK_INT(t->baa, PW_BAA_UNKNOWN);
        CHECK_STR(t->decoder, "generic");
    }
    pw_catalog_free(c);
}

static void host_rules(void)
{
    pw_catalog *c = catalog_with("", test_data_path("mini_easylist.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(decode_id(c, &a, "https://adserver.example/p.gif", PAGE),
              "easylist ||adserver.example^");
    CHECK_STR(decode_id(c, &a, "https://sync.eu.adserver.example:8443/match?uid=1", PAGE),
              "easylist ||adserver.example^");
    CHECK_STR(decode_id(c, &a, "https://notadserver.example/p.gif", PAGE), "(none)");
    CHECK_STR(decode_id(c, &a, "https://adserver.example.evil.test/p.gif", PAGE), "(none)");
    CHECK_STR(decode_id(c, &a, "https://x.databroker.example/sync", PAGE),
              "easylist ||databroker.example^$third-party");
    CHECK_STR(decode_id(c, &a, "https://typed.example/pixel", PAGE),
              "easylist ||typed.example^$script,image,~media"); /* resource types ignored */
    /* first party: never a tracker, whatever the list says */
    CHECK_STR(decode_id(c, &a, "https://adserver.example/p.gif", "https://www.adserver.example/"),
              "(none)");
    /* with data but no rule: the unknown entry, not EasyList */
    decoded u = decode_req(c, &a, "GET", "https://cdn.someone.test/x?a=1", PAGE, NULL, NULL, 0);
    CHECK(u.n == 1 && strcmp(u.b[0].tracker->id, "unknown-third-party") == 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void domain_option_and_exceptions(void)
{
    pw_catalog *c = catalog_with("", test_data_path("mini_easylist.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *rule = "easylist ||siteonly.example^$domain=hospital-a.org|~news.hospital-a.org";
    CHECK_STR(decode_id(c, &a, "https://siteonly.example/x", "https://www.hospital-a.org/"), rule);
    CHECK_STR(decode_id(c, &a, "https://siteonly.example/x", "https://news.hospital-a.org/"),
              "(none)");
    CHECK_STR(decode_id(c, &a, "https://siteonly.example/x", PAGE), "(none)");
    CHECK_STR(decode_id(c, &a, "https://notonpage.example/x", PAGE),
              "easylist ||notonpage.example^$third-party,domain=~hospital-b.org");
    CHECK_STR(decode_id(c, &a, "https://notonpage.example/x", "https://hospital-b.org/"), "(none)");
    /* @@ exceptions of EasyList: by path, by site, generic */
    CHECK_STR(decode_id(c, &a, "https://adserver.example/consent/v1", PAGE), "(none)");
    CHECK_STR(decode_id(c, &a, "https://databroker.example/sync", "https://hospital-c.org/"),
              "(none)");
    CHECK_STR(decode_id(c, &a, "https://adserver.example/exempt-path/x", PAGE), "(none)");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* Rules that are about hiding ads, opening pages or first parties are not loaded. */
static void unused_rules(void)
{
    pw_catalog *c = catalog_with("", test_data_path("mini_easylist.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char *const none[] = {
        "https://firstonly.example/x",
        "https://popup.example/x",
        "https://navigation.example/",
        "https://pathrule.example/ads/banner.gif",
        "https://prefix.example/x",
        "https://wild.any.example/x",
        "https://cdn.someone.test/banner-ads/x.gif",
        "https://cdn.someone.test/p?z=1&ad_type=3",
        "https://cdn.someone.test/img-ad-300x250.png",
        "https://regex.example/x",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        decoded d = decode_req(c, &a, "GET", none[i], PAGE, NULL, NULL, 0);
        for (size_t k = 0; k < d.n; k++)
            CHECK(strcmp(d.b[k].tracker->id, "easylist") != 0);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void precedence(void)
{
    char ep[1024]; /* test_data_path returns one static buffer */
    snprintf(ep, sizeof ep, "%s", test_data_path("mini_easyprivacy.txt"));
    pw_catalog *c = catalog_with(ep, test_data_path("mini_easylist.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    /* in both lists: EasyPrivacy's entry and rule */
    CHECK_STR(decode_id(c, &a, "https://metrics-collector.example/p.gif", PAGE),
              "easyprivacy ||metrics-collector.example^");
    /* an EasyPrivacy exception does not lift an EasyList block (each list its own exceptions) */
    CHECK_STR(decode_id(c, &a, "https://metrics-collector.example/allowed/x.gif", PAGE),
              "easylist ||metrics-collector.example^");
    /* an EasyList-only host */
    CHECK_STR(decode_id(c, &a, "https://adserver.example/p.gif", PAGE),
              "easylist ||adserver.example^");
    /* the catalog first: facebook.com is in the mini EasyList but Meta's pixel is catalogued */
    decoded d = decode_req(c, &a, "GET", "https://www.facebook.com/tr/?id=1&ev=PageView", PAGE,
                           NULL, NULL, 0);
    CHECK(d.n == 1 && strcmp(d.b[0].tracker->id, "meta-pixel") == 0 && !d.b[0].matched_rule);
    /* classification without decoding follows the same order */
    const char *rule = NULL;
    const pw_tracker *t =
        pw_catalog_classify(c, "https://Sync.AdServer.example/m?u=1", PAGE, &rule);
    CHECK(t && strcmp(t->id, "easylist") == 0);
    CHECK_STR(rule ? rule : "-", "||adserver.example^");
    t = pw_catalog_classify(c, "https://metrics-collector.example/x", PAGE, &rule);
    CHECK(t && strcmp(t->id, "easyprivacy") == 0);
    t = pw_catalog_classify(c, "https://www.facebook.com/tr/?id=1", PAGE, &rule);
    CHECK(t && strcmp(t->id, "meta-pixel") == 0 && rule == NULL);
    CHECK(pw_catalog_classify(c, "https://adserver.example/x", "https://adserver.example/",
                              &rule) == NULL);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void options(void)
{
    pw_catalog *c = NULL;
    pw_err err;
    /* easyprivacy_file "" alone still means "no filter list at all" */
    pw_catalog_options o = {.easyprivacy_file = ""};
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    CHECK_INT(pw_catalog_easylist_rules(c), 0);
    pw_catalog_free(c);
    /* EasyList alone */
    o.easylist_file = test_data_path("mini_easylist.txt");
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    CHECK_INT(pw_catalog_easylist_rules(c), 10);
    CHECK_INT(pw_catalog_easyprivacy_rules(c), 0);
    pw_catalog_free(c);
    /* a missing list asked for by name is an error naming it */
    o.easylist_file = "/nonexistent/easylist.txt";
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/easylist.txt") != NULL);
    /* EasyList off, EasyPrivacy on */
    o.easyprivacy_file = test_data_path("mini_easyprivacy.txt");
    o.easylist_file = "";
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    CHECK_INT(pw_catalog_easylist_rules(c), 0);
    CHECK(pw_catalog_easyprivacy_rules(c) > 0);
    pw_catalog_free(c);
}

/* Debian's lists when installed: a data broker that only EasyList names (media6degrees.com, not on
 * EasyPrivacy and not in the catalog; eyeota.net, used before, is a catalog entry now). */
static void debian_lists(void)
{
    FILE *f = fopen(PW_EASYLIST_DEFAULT_PATH, "r");
    if (!f) {
        printf("skipped: %s not installed\n", PW_EASYLIST_DEFAULT_PATH);
        return;
    }
    fclose(f);
    pw_catalog *c = catalog_with(NULL, NULL);
    CHECK(c != NULL);
    if (!c)
        return;
    size_t n = pw_catalog_easylist_rules(c);
    printf("EasyList rules kept: %zu\n", n);
    CHECK(n > 10000);
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *id =
        decode_id(c, &a, "https://action.media6degrees.com/orbserv/hbpix?pixId=1", PAGE);
    printf("action.media6degrees.com: %s\n", id);
    CHECK(strncmp(id, "easylist ||", 11) == 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(entry_and_counts), PW_TEST(host_rules), PW_TEST(domain_option_and_exceptions),
             PW_TEST(unused_rules), PW_TEST(precedence), PW_TEST(options), PW_TEST(debian_lists))
