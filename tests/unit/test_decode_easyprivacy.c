/* test_decode_easyprivacy.c — uncatalogued third parties matched by an ABP filter list: a
 * small list written for the test (anchors, separators, wildcards, exceptions, domain=,
 * cosmetic and regex rules skipped), and Debian's EasyPrivacy when it is installed. */
#include "decode/decode_internal.h"
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

/* EasyPrivacy `list` alone (NULL: Debian's lists, EasyList too, when installed). */
static pw_catalog *catalog_with(const char *list)
{
    pw_catalog_options o = {.easyprivacy_file = list, .easylist_file = list ? "" : NULL};
    pw_catalog *c = NULL;
    pw_err err;
    if (pw_catalog_open(&o, &c, &err) != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    return c;
}

static const char *rule_for(const pw_catalog *c, pw_arena *a, const char *url, const char *page)
{
    decoded d = decode_req(c, a, "GET", url, page, NULL, NULL, 0);
    if (d.n != 1 || !d.b[0].matched_rule)
        return "(none)";
    CHECK_STR(d.b[0].tracker->id, "easyprivacy");
    return d.b[0].matched_rule;
}

static void mini_list(void)
{
    pw_catalog *c = catalog_with(test_data_path("mini_easyprivacy.txt"));
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_INT(pw_catalog_easyprivacy_rules(c), 8); /* 7 blocking + 1 exception */
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *page = "https://www.example-hospital.org/";
    CHECK_STR(rule_for(c, &a, "https://metrics-collector.example/p.gif", page),
              "||metrics-collector.example^");
    CHECK_STR(rule_for(c, &a, "https://eu.metrics-collector.example:8443/x", page),
              "||metrics-collector.example^");
    CHECK_STR(rule_for(c, &a, "https://metrics-collector.example.evil.test/x", page), "(none)");
    CHECK_STR(rule_for(c, &a, "https://notmetrics-collector.example/x", page), "(none)");
    CHECK_STR(rule_for(c, &a, "https://metrics-collector.example/allowed/x.gif", page), "(none)");
    CHECK_STR(rule_for(c, &a, "https://beacon.example.net/b", page),
              "||beacon.example.net^$third-party");
    CHECK_STR(rule_for(c, &a, "https://cdn.someone.test/img/pixel-track.gif?id=1", page),
              "/pixel-track.gif?");
    CHECK_STR(rule_for(c, &a, "https://cdn.someone.test/x?a=1&ev=PageView&b=2", page),
              "&ev=pageview&");
    CHECK_STR(rule_for(c, &a, "https://c.test/analytics/v2/hit?x", page), "/analytics/*/hit^");
    CHECK_STR(rule_for(c, &a, "https://c.test/analytics/v2/hits", page), "(none)");
    CHECK_STR(rule_for(c, &a, "https://cdn.example-analytics.test/tag.js", page),
              "||cdn.example-analytics.test/tag.js|");
    CHECK_STR(rule_for(c, &a, "https://cdn.example-analytics.test/tag.jsx", page), "(none)");
    /* domain= limits a rule to some sites */
    CHECK_STR(rule_for(c, &a, "https://onlyhere.example/x", "https://www.hospital-a.org/"),
              "||onlyhere.example^$domain=hospital-a.org");
    CHECK_STR(rule_for(c, &a, "https://onlyhere.example/x", page), "(none)");
    /* regex and cosmetic rules are skipped; first-party requests are never matched */
    CHECK_STR(rule_for(c, &a, "https://regex.example/x", page), "(none)");
    CHECK_STR(rule_for(c, &a, "https://cdn.example-hospital.org/pixel-track.gif?x", page),
              "(none)");
    /* a 1 MiB URL: matched on its first 2 KiB, quickly; end anchors do not match a cut URL */
    size_t big = 1 << 20;
    char *url = malloc(big + 64);
    size_t n = (size_t)snprintf(url, big + 64, "https://c.test/analytics/v2/hit?");
    while (n < big) {
        url[n] = n % 200 ? 'a' : '&';
        n++;
    }
    url[n] = '\0';
    CHECK_STR(rule_for(c, &a, url, page), "/analytics/*/hit^");
    memcpy(url, "https://cdn.someone.test/zzzzzzzzzzzzz?", 39);
    decoded huge = decode_req(c, &a, "GET", url, page, NULL, NULL, 0);
    CHECK_INT(huge.st, PW_OK);
    CHECK(huge.n == 1 && huge.b[0].matched_rule == NULL); /* unknown third party with data */
    free(url);
    /* classification without decoding (contained scans) */
    const char *rule = NULL;
    const pw_tracker *t =
        pw_catalog_classify(c, "https://Metrics-Collector.example/x.gif", page, &rule);
    CHECK(t != NULL && strcmp(t->id, "easyprivacy") == 0);
    CHECK_STR(rule, "||metrics-collector.example^");
    t = pw_catalog_classify(c, "https://www.facebook.com/tr/?id=1", page, &rule);
    CHECK(t != NULL && strcmp(t->id, "meta-pixel") == 0 && rule == NULL);
    CHECK(pw_catalog_classify(c, "https://cdn.example-hospital.org/pixel-track.gif?x", page,
                              NULL) == NULL); /* first party */
    CHECK(pw_catalog_classify(c, "https://fonts.someone.test/a.woff2", page, NULL) == NULL);
    /* an unmatched third party without data gives nothing; with data, the unknown entry */
    decoded u =
        decode_req(c, &a, "GET", "https://cdn.someone.test/font.woff2", page, NULL, NULL, 0);
    CHECK_INT(u.n, 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void absent_list(void)
{
    pw_catalog_options o = {.easyprivacy_file = "/nonexistent/easyprivacy.txt"};
    pw_catalog *c = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_IO); /* asked for explicitly */
    CHECK(strstr(err.msg, "/nonexistent/easyprivacy.txt") != NULL);
    /* the default path may be absent: pw_catalog_load never fails for that */
    CHECK_INT(pw_catalog_load(NULL, &c, &err), PW_OK);
    pw_catalog_free(c);
}

static void debian_list(void)
{
    FILE *f = fopen(PW_EASYPRIVACY_DEFAULT_PATH, "r");
    if (!f) {
        printf("skipped: %s not installed\n", PW_EASYPRIVACY_DEFAULT_PATH);
        return;
    }
    fclose(f);
    pw_catalog *c = catalog_with(NULL);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(pw_catalog_easyprivacy_rules(c) > 10000);
    pw_arena a;
    pw_arena_init(&a, 0);
    /* an uncatalogued analytics vendor (Matomo's self-hosted endpoint shape) */
    decoded d = decode_req(c, &a, "GET",
                           "https://stats.some-agency.test/matomo.php?idsite=3&rec=1&url=https%3A"
                           "%2F%2Fwww.example-hospital.org%2Fhiv",
                           "https://www.example-hospital.org/", NULL, NULL, 0);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "easyprivacy");
        CHECK(d.b[0].matched_rule != NULL);
        CHECK_INT(field_kind(&d.b[0], "url"), PW_FIELD_PAGE_URL);
        printf("matomo.php matched %s\n", d.b[0].matched_rule ? d.b[0].matched_rule : "-");
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* A NUL byte inside a rule line (a corrupt or hostile list file): the rule's text is copied up to
 * the NUL, and its pattern was looked for at the end of the line's full length, past the copy
 * (an overread of the arena that ASan's arena poisoning reports as use-after-poison). */
static void nul_in_rule(void)
{
    static const char list[] = "||tracker.example^\0zz\n||other.example^\n";
    pw_arena a;
    pw_arena_init(&a, 0);
    dk_easyprivacy *ep = NULL;
    CHECK(dk_filterlist_parse(&a, list, sizeof list - 1, DK_LIST_ALL, &ep) == PW_OK);
    CHECK(ep && dk_easyprivacy_count(ep) == 2);
    if (ep) {
        CHECK_STR(dk_easyprivacy_match(ep, "https://tracker.example/x", ""), "||tracker.example^");
        CHECK_STR(dk_easyprivacy_match(ep, "https://other.example/x", ""), "||other.example^");
    }
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(mini_list), PW_TEST(absent_list), PW_TEST(debian_list), PW_TEST(nul_in_rule))
