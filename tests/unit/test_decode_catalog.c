/* test_decode_catalog.c — the compiled-in catalog, matching specificity, user files with
 * file:line errors, and the enum names. */
#include "decode/decode_internal.h"
#include "decode_testlib.h"
#include "pw_test.h"

static void compiled_in(void)
{
    pw_catalog *c = test_catalog();
    CHECK(pw_catalog_count(c) >= 80);
    int seen[PW_CATEGORY__COUNT] = {0};
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const pw_tracker *t = pw_catalog_at(c, i);
        seen[t->category] = 1;
        CHECK(t->baa_note && t->baa_note[0]);
        CHECK(t->vendor[0] && t->product[0]);
    }
    for (int k = 0; k < PW_CATEGORY__COUNT; k++)
        CHECK(seen[k]);
    const char *const must[] = {"meta-pixel",          "ga4",
                                "universal-analytics", "google-ads",
                                "google-tag-manager",  "tiktok-pixel",
                                "linkedin-insight",    "twitter-pixel",
                                "microsoft-uet",       "pinterest-tag",
                                "snap-pixel",          "hotjar",
                                "fullstory",           "microsoft-clarity",
                                "doubleclick",         "criteo",
                                "adobe-analytics",     "yandex-metrica",
                                "freshpaint",          "segment",
                                "youtube-embed",       NULL};
    for (size_t i = 0; must[i]; i++)
        CHECK(pw_catalog_find(c, must[i]) != NULL);
    CHECK_INT(pw_catalog_find(c, "meta-pixel")->baa, PW_BAA_NO);
    CHECK_INT(pw_catalog_find(c, "freshpaint")->baa, PW_BAA_YES);
    CHECK_INT(pw_catalog_find(c, "hotjar")->category, PW_CATEGORY_SESSION_REPLAY);
    CHECK_INT(pw_catalog_easyprivacy_rules(c), 0);
    /* every decoder in the registry serves at least one entry */
    for (size_t d = 0; d < dk_decoder_count(); d++) {
        size_t users = 0;
        for (size_t i = 0; i < pw_catalog_count(c); i++)
            users += strcmp(pw_catalog_at(c, i)->decoder, dk_decoder_at(d)->name) == 0;
        if (!users)
            fprintf(stderr, "decoder %s has no catalog entry\n", dk_decoder_at(d)->name);
        CHECK(users > 0);
    }
    pw_catalog_free(c);
}

static const char *match_id(const pw_catalog *c, const char *url)
{
    const pw_tracker *t = pw_catalog_match(c, url);
    return t ? t->id : "(none)";
}

static void matching(void)
{
    pw_catalog *c = test_catalog();
    CHECK_STR(match_id(c, "https://www.facebook.com/tr/?id=1"), "meta-pixel");
    CHECK_STR(match_id(c, "https://WWW.FACEBOOK.COM./tr?id=1"), "meta-pixel");
    CHECK_STR(match_id(c, "https://connect.facebook.net/en_US/fbevents.js"), "meta-pixel");
    CHECK_STR(match_id(c, "https://connect.facebook.net/signals/config/123?v=2.9"), "meta-pixel");
    CHECK_STR(match_id(c, "https://connect.facebook.net/en_US/sdk.js"), "facebook-social");
    CHECK_STR(match_id(c, "https://www.facebook.com/profile.php"), "(none)");
    /* exact host beats wildcard; path globs decide between GA4 and UA */
    CHECK_STR(match_id(c, "https://stats.g.doubleclick.net/g/collect?v=2"), "ga4");
    CHECK_STR(match_id(c, "https://stats.g.doubleclick.net/j/collect?v=1"), "universal-analytics");
    CHECK_STR(match_id(c, "https://ad.doubleclick.net/activity;src=1"), "floodlight");
    CHECK_STR(match_id(c, "https://adservice.google.com/ddm/fls/i/src=1;type=a"), "floodlight");
    CHECK_STR(match_id(c, "https://ad.doubleclick.net/ddm/trackclk/N1;2"), "doubleclick");
    CHECK_STR(match_id(c, "https://ssl.google-analytics.com/__utm.gif?utmac=UA-1"),
              "universal-analytics");
    CHECK_STR(match_id(c, "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/"),
              "google-ads");
    CHECK_STR(match_id(c, "https://region1.google-analytics.com/g/collect"), "ga4");
    /* '*.' covers the apex and any depth of subdomain */
    CHECK_STR(match_id(c, "https://script.hotjar.com/modules.js"), "hotjar");
    CHECK_STR(match_id(c, "https://hotjar.com/"), "hotjar");
    CHECK_STR(match_id(c, "https://a.b.c.clarity.ms/collect"), "microsoft-clarity");
    CHECK_STR(match_id(c, "https://hotjar.com.evil.test/"), "(none)");
    CHECK_STR(match_id(c, "https://nothotjar.com/"), "(none)");
    /* host "*" with a path: Adobe Analytics behind a first-party CNAME */
    CHECK_STR(match_id(c, "https://metrics.example-hospital.org/b/ss/hosp-prod/1/JS-2.22"),
              "adobe-analytics");
    CHECK_STR(match_id(c, "https://sgtm.example-hospital.org/g/collect?v=2&tid=G-1"),
              "ga4-server-side");
    CHECK_STR(match_id(c, "https://www.google-analytics.com/g/collect?v=2"), "ga4");
    CHECK_STR(match_id(c, "https://www.example-hospital.org/"), "(none)");
    CHECK_STR(match_id(c, "not a url"), "(none)");
    pw_catalog_free(c);
}

/* The trackers behind Blacklight's findings on The Markup's health-site HARs
 * (bench/markup_eval.py) are named by the catalog, not left to a filter list or missed; a
 * shared host (CloudFront, AWS SQS) is matched only for the one vendor's distribution or queue. */
static void markup_trackers(void)
{
    pw_catalog *c = test_catalog();
    CHECK_STR(match_id(c, "https://p.adsymptotic.com/d/px/?_pid=16218&_psign=0a"),
              "linkedin-adsymptotic");
    CHECK_STR(match_id(c, "https://bs.serving-sys.com/Serving?cn=ot&onetagid=7283"), "sizmek");
    CHECK_STR(match_id(c, "https://secure-ds.serving-sys.com/SemiCachedScripts/ebOneTag.js"),
              "sizmek");
    CHECK_STR(match_id(c, "https://ups.analytics.yahoo.com/ups/55953/sync?uid=f"), "yahoo-ad-tech");
    CHECK_STR(match_id(c, "https://pr-bh.ybp.yahoo.com/sync/triplelift/679?gdpr=0"),
              "yahoo-ad-tech");
    CHECK_STR(match_id(c, "https://ads.yahoo.com/cms/v1?esig=1~73&nwid=1"), "yahoo-ad-tech");
    CHECK_STR(match_id(c, "https://sp.analytics.yahoo.com/sp.pl?a=10000"), "yahoo-dot");
    CHECK_STR(match_id(c, "https://cdn.resonate.com/analytics.js/v1/1/analytics.min.js"),
              "resonate");
    CHECK_STR(match_id(c, "https://d10lpsik1i8c69.cloudfront.net/w.js"), "lucky-orange");
    CHECK_INT(pw_catalog_find(c, "lucky-orange")->category, PW_CATEGORY_SESSION_REPLAY);
    CHECK_STR(match_id(c, "https://d15kdpgjg3unno.cloudfront.net/oPS.js?cid=11"), "optimera");
    CHECK_STR(match_id(c, "https://dyv1bugovvq1g.cloudfront.net/11/www.h.org/care.js"), "optimera");
    CHECK_STR(match_id(c, "https://sqs.us-east-1.amazonaws.com/397719490216/"
                          "Test_oPS_Script_Loads?Action=SendMessage"),
              "optimera-telemetry");
    CHECK_STR(match_id(c, "https://imasdk.googleapis.com/js/sdkloader/ima3.js"), "google-ima-sdk");
    /* other CloudFront distributions and other AWS accounts' queues are nobody's tracker */
    CHECK_STR(match_id(c, "https://d2abcdefghijkl.cloudfront.net/w.js"), "(none)");
    CHECK_STR(match_id(c, "https://sqs.us-east-1.amazonaws.com/111122223333/orders"), "(none)");
    CHECK_STR(match_id(c, "https://s3.amazonaws.com/cdn.example/play-button.png"), "(none)");
    /* Tealium: the tag CDN loads tags; Collect and the visitor service receive the events */
    CHECK_STR(match_id(c, "https://tags.tiqcdn.com/utag/pp/main/prod/utag.js"), "tealium");
    CHECK_INT(pw_catalog_find(c, "tealium")->category, PW_CATEGORY_TAG_MANAGER);
    CHECK_STR(match_id(c, "https://collect.tealiumiq.com/event"), "tealium-collect");
    CHECK_STR(match_id(c, "https://visitor-service-us-east-1.tealiumiq.com/pp/main/0"),
              "tealium-collect");
    CHECK_INT(pw_catalog_find(c, "tealium-collect")->category, PW_CATEGORY_CDP);
    pw_catalog_free(c);
}

static void user_file(void)
{
    pw_catalog_options o = {.user_file = test_data_path("extra_trackers.tsv"),
                            .easyprivacy_file = ""};
    pw_catalog *c = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    if (c) {
        CHECK(pw_catalog_find(c, "acme-pixel") != NULL);
        CHECK_STR(match_id(c, "https://px.acme-ads.test/px?e=1"), "acme-pixel");
        CHECK_STR(match_id(c, "https://x.acme-cdn.test/collect"), "acme-pixel");
        CHECK_STR(match_id(c, "https://px.acme-ads.test/other"), "(none)");
        pw_catalog_free(c);
    }
    o.user_file = test_data_path("bad_category.tsv");
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "bad_category.tsv:2:") != NULL);
    CHECK(strstr(err.msg, "not-a-category") != NULL);
    o.user_file = test_data_path("bad_columns.tsv");
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "bad_columns.tsv:1:") != NULL);
    /* an id already in the built-in catalog */
    FILE *f = fopen("dup_trackers.tsv", "w");
    fputs("meta-pixel\tX\tY\tadvertising\tno\tn\tgeneric\tx.test\t*\n", f);
    fclose(f);
    o.user_file = "dup_trackers.tsv";
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "duplicate id 'meta-pixel'") != NULL);
    remove("dup_trackers.tsv");
    o.user_file = "/nonexistent/trackers.tsv";
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/trackers.tsv") != NULL);
}

/* A host item with its own path ("www.google.com/ads/ga-audiences*"): Universal Analytics'
 * remarketing-audience hit on www.google.com, a host Google Ads, Maps and the site search share,
 * was no catalog entry's (a filter-list row in City of Hope's and PP Gulf Coast's reports). The
 * item's path replaces the entry's paths for that host only, and names the host for no other
 * path. */
static void host_path_items(void)
{
    pw_catalog *c = test_catalog();
    CHECK_STR(match_id(c, "https://www.google.com/ads/ga-audiences?t=sr&tid=UA-3289688-1&cid=1.2"),
              "universal-analytics");
    CHECK_STR(match_id(c, "https://www.google.com/pagead/1p-user-list/1/?x=1"), "google-ads");
    CHECK_STR(match_id(c, "https://www.google.com/maps/embed?pb=1"), "google-maps");
    CHECK_STR(match_id(c, "https://www.google.com/cse/cse.js?cx=1"), "google-programmable-search");
    /* GA4's Google signals send the same hit: its ID tells it apart (it was called UA's) */
    CHECK_STR(match_id(c, "https://www.google.com/ads/ga-audiences?v=1&t=sr&slf_rd=1&_r=4"
                          "&tid=G-AB12CD34&cid=1.2"),
              "ga4");
    /* UA's own paths are not www.google.com's */
    CHECK_STR(match_id(c, "https://www.google.com/collect?tid=UA-1-1"), "(none)");
    CHECK_STR(match_id(c, "https://www.google.com/ads/other"), "(none)");
    CHECK_STR(match_id(c, "https://www.google-analytics.com/collect?tid=UA-1-1"),
              "universal-analytics");
    /* the host is still shared: no entry takes its other paths by host alone */
    CHECK(dk_catalog_match_host(c, "www.google.com") == NULL);
    pw_catalog_free(c);

    FILE *f = fopen("host_path_trackers.tsv", "w");
    fputs("acme-x\tAcme\tX\tanalytics\tno\tn\tgeneric\tshared.test/acme/*,acme.test\t/p*\n", f);
    fclose(f);
    pw_catalog_options o = {.user_file = "host_path_trackers.tsv", .easyprivacy_file = ""};
    pw_err err;
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    if (c) {
        CHECK_STR(match_id(c, "https://shared.test/acme/1.gif"), "acme-x");
        CHECK_STR(match_id(c, "https://shared.test/p1"), "(none)");
        CHECK_STR(match_id(c, "https://acme.test/p1"), "acme-x");
        CHECK_STR(match_id(c, "https://acme.test/acme/1.gif"), "(none)");
        CHECK(dk_catalog_match_host(c, "shared.test") == NULL);
        CHECK(dk_catalog_match_host(c, "acme.test") == pw_catalog_find(c, "acme-x"));
        pw_catalog_free(c);
    }
    /* a host item's own path may carry query conditions, as the paths column's do: one shared
     * path told apart by its parameters (Universal Analytics' and GA4's remarketing hits) */
    f = fopen("host_path_trackers.tsv", "w");
    fputs("acme-ua\tAcme\tUA\tanalytics\tno\tn\tgeneric\tshared.test/aud*?t=sr&tid=UA-*\t/x\n"
          "acme-g4\tAcme\tG4\tanalytics\tno\tn\tgeneric\tshared.test/aud*?tid=G-*\t/x\n"
          "acme-any\tAcme\tAny\tanalytics\tno\tn\tgeneric\tshared.test/aud*\t/x\n",
          f);
    fclose(f);
    c = NULL;
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    if (c) {
        CHECK_STR(match_id(c, "https://shared.test/aud?t=sr&tid=UA-1-1&cid=1"), "acme-ua");
        CHECK_STR(match_id(c, "https://shared.test/audiences?v=1&tid=G-AB12&t=sr"), "acme-g4");
        /* every condition must hold: without t=sr, or with neither ID, the item alone */
        CHECK_STR(match_id(c, "https://shared.test/aud?tid=UA-1-1"), "acme-any");
        CHECK_STR(match_id(c, "https://shared.test/aud"), "acme-any");
        CHECK_STR(match_id(c, "https://shared.test/x?tid=G-AB12"), "(none)");
        CHECK(dk_catalog_match_host(c, "shared.test") == NULL);
        pw_catalog_free(c);
    }
    remove("host_path_trackers.tsv");
}

/* The optional 10th column: data-file paths. Optimera's per-page score files are its data (a 403
 * for a page it has not scored is no failed tracker script); its code, oPS.js, is not. A user
 * file may give the column or not; a query condition there, or an 11th column, is an error. */
static void data_paths(void)
{
    pw_catalog *c = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_load(NULL, &c, &err), PW_OK);
    const pw_tracker *opt = pw_catalog_find(c, "optimera");
    CHECK(opt != NULL);
    CHECK_STR(pw_catalog_data_paths(c, opt), "/*/*");
    CHECK_INT(pw_catalog_is_data_file(c, opt,
                                      "https://dyv1bugovvq1g.cloudfront.net/11/www.kansascity.com/"
                                      "latest-news/article214391484.html/video-embed.js"),
              1);
    CHECK_INT(
        pw_catalog_is_data_file(c, opt, "https://d15kdpgjg3unno.cloudfront.net/oPS.js?cid=11"), 0);
    CHECK_INT(pw_catalog_is_data_file(c, opt, "not a url"), 0);
    const pw_tracker *meta = pw_catalog_find(c, "meta-pixel");
    CHECK_STR(pw_catalog_data_paths(c, meta), "");
    CHECK_INT(pw_catalog_is_data_file(c, meta, "https://connect.facebook.net/a/b"), 0);
    CHECK_INT(pw_catalog_is_data_file(c, pw_catalog_find(c, "easyprivacy"), "https://x.test/a/b"),
              0);
    CHECK_INT(pw_catalog_is_data_file(c, NULL, "https://x.test/a/b"), 0);
    pw_catalog_free(c);

    const char *name = "data_trackers.tsv";
    FILE *f = fopen(name, "w");
    fputs("acme-score\tAcme\tScores\tadvertising\tunknown\tn\tgeneric\tcdn.acme.test\t*\t"
          "/scores/*.json, /cfg/*\n"
          "acme-tag\tAcme\tTag\tadvertising\tunknown\tn\tgeneric\ttag.acme.test\t*\n",
          f);
    fclose(f);
    pw_catalog_options o = {.user_file = name, .easyprivacy_file = ""};
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    if (c) {
        const pw_tracker *t = pw_catalog_find(c, "acme-score");
        CHECK_INT(pw_catalog_is_data_file(c, t, "https://cdn.acme.test/scores/p.json?x=1"), 1);
        CHECK_INT(pw_catalog_is_data_file(c, t, "https://cdn.acme.test/cfg/site"), 1);
        CHECK_INT(pw_catalog_is_data_file(c, t, "https://cdn.acme.test/tag.js"), 0);
        CHECK_STR(pw_catalog_data_paths(c, pw_catalog_find(c, "acme-tag")), "");
        pw_catalog_free(c);
    }
    f = fopen(name, "w");
    fputs("acme-q\tAcme\tQ\tadvertising\tunknown\tn\tgeneric\tq.acme.test\t*\t/s?v=1\n", f);
    fclose(f);
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "data_trackers.tsv:1: acme-q: data path '/s?v=1'") != NULL);
    f = fopen(name, "w");
    fputs("acme-x\tAcme\tX\tadvertising\tunknown\tn\tgeneric\tx.acme.test\t*\t/d/*\tmore\n", f);
    fclose(f);
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "more than 10 tab-separated columns") != NULL);
    /* host items that could never match were kept without a word; the error names the column
     * (1-based byte) of the fault: the item starts at 57 ("ok.acme.test, " from 43) */
    static const struct {
        const char *item;
        int col;
    } bad_hosts[] = {{"*/x", 57},           {"/", 57},           {"a..b/c*", 58},
                     {".ex.test", 57},      {"*.", 59},          {"e x.test", 58},
                     {"ex.*.test", 60},     {"ex.test/s?v", 67}, {"ex.test/s?=1", 67},
                     {"ex.test/s?v=1&", 71}};
    for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
        f = fopen(name, "w");
        fprintf(f, "acme-h\tAcme\tH\tanalytics\tunknown\tn\tgeneric\tok.acme.test, %s\t*\n",
                bad_hosts[i].item);
        fclose(f);
        CHECK_INT(pw_catalog_open(&o, &c, &err), PW_ERR_PARSE);
        char want[96];
        snprintf(want, sizeof want,
                 "data_trackers.tsv:1:%d: acme-h: host item '%s': ", bad_hosts[i].col,
                 bad_hosts[i].item);
        if (!strstr(err.msg, want))
            fprintf(stderr, "want '%s' in '%s'\n", want, err.msg);
        CHECK(strstr(err.msg, want) != NULL);
    }
    f = fopen(name, "w");
    fputs("acme-h\tAcme\tH\tanalytics\tunknown\tn\tgeneric\t*, *.a-b.test,x_y.test/p*, "
          "www.google.com/ads/x*\t/c\n",
          f);
    fclose(f);
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    pw_catalog_free(c);
    c = NULL;
    remove(name);
}

static void names(void)
{
    pw_category cat;
    CHECK_INT(pw_category_parse("session replay", &cat), 0);
    CHECK_INT(cat, PW_CATEGORY_SESSION_REPLAY);
    CHECK_INT(pw_category_parse("Tag-Manager", &cat), 0);
    CHECK_INT(cat, PW_CATEGORY_TAG_MANAGER);
    CHECK_INT(pw_category_parse("ads", &cat), -1);
    CHECK_STR(pw_category_name(PW_CATEGORY_CDP), "cdp");
    pw_baa b;
    CHECK_INT(pw_baa_parse("some-plans", &b), 0);
    CHECK_INT(b, PW_BAA_SOME_PLANS);
    CHECK_STR(pw_baa_name(PW_BAA_UNKNOWN), "unknown");
    CHECK_STR(pw_field_kind_name(PW_FIELD_BUTTON_TEXT), "button_text");
    CHECK_STR(pw_field_kind_name(PW_FIELD__COUNT), "other");
}

PW_TEST_MAIN(PW_TEST(compiled_in), PW_TEST(matching), PW_TEST(markup_trackers), PW_TEST(user_file),
             PW_TEST(data_paths), PW_TEST(names), PW_TEST(host_path_items))
