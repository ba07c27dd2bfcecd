/*
 * test_decode_page_url.c — every vendor decoder marks the page a beacon says it was sent from as
 * PW_FIELD_PAGE_URL and its referrer as PW_FIELD_REFERRER, under the vendor's own key: the assess
 * stage judges a single-page app's route by that kind, whatever the vendor calls it.
 */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

#define U  "https://www.example-hospital.org/conditions/hiv"
#define UQ "https%3A%2F%2Fwww.example-hospital.org%2Fconditions%2Fhiv"
#define R  "https://www.example-hospital.org/"
#define RQ "https%3A%2F%2Fwww.example-hospital.org%2F"

typedef struct page_case {
    const char *tracker, *method, *url, *ct, *body;
    const char *page_key, *ref_key; /* ref_key NULL: the protocol sends none */
} page_case;

static const page_case page_cases[] = {
    {"meta-pixel", "GET", "https://www.facebook.com/tr/?id=1&ev=PageView&dl=" UQ "&rl=" RQ, NULL,
     NULL, "dl", "rl"},
    {"ga4", "GET", "https://region1.google-analytics.com/g/collect?v=2&tid=G-1&dl=" UQ "&dr=" RQ,
     NULL, NULL, "dl", "dr"},
    {"universal-analytics", "GET",
     "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&dl=" UQ "&dr=" RQ, NULL, NULL, "dl",
     "dr"},
    {"tiktok-pixel", "POST", "https://analytics.tiktok.com/api/v2/pixel", "application/json",
     "{\"event\":\"ViewContent\",\"context\":{\"page\":{\"url\":\"" U "\",\"referrer\":\"" R
     "\"}}}",
     "context.page.url", "context.page.referrer"},
    {"tiktok-pixel", "POST", "https://analytics.tiktok.com/api/v2/pixel/batch", "application/json",
     "{\"batch\":[{\"event\":\"ViewContent\",\"context\":{\"page\":{\"url\":\"" U
     "\",\"referrer\":\"" R "\"}}}]}",
     "batch.0.context.page.url", "batch.0.context.page.referrer"},
    {"linkedin-insight", "GET", "https://px.ads.linkedin.com/collect?pid=1&fmt=js&url=" UQ, NULL,
     NULL, "url", NULL},
    {"linkedin-insight", "POST", "https://px.ads.linkedin.com/wa/", "application/json",
     "{\"pids\":[1],\"url\":\"" U "\",\"referrer\":\"" R "\",\"signalType\":\"PAGE_VISIT\"}", "url",
     "referrer"},
    {"google-ads", "GET",
     "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/?url=" UQ "&ref=" RQ, NULL,
     NULL, "url", "ref"},
    {"snap-pixel", "POST", "https://tr.snapchat.com/p", "application/x-www-form-urlencoded",
     "pid=1&ev=PAGE_VIEW&pl=" UQ "&rf=" RQ, "pl", "rf"},
    {"microsoft-uet", "GET", "https://bat.bing.com/action/0?ti=1&evt=pageLoad&p=" UQ "&r=" RQ, NULL,
     NULL, "p", "r"},
    {"pinterest-tag", "GET",
     "https://ct.pinterest.com/v3/?tid=1&event=init&ad=%7B%22loc%22%3A%22" UQ
     "%22%2C%22ref%22%3A%22" RQ "%22%7D",
     NULL, NULL, "ad.loc", "ad.ref"},
    {"twitter-pixel", "GET",
     "https://analytics.twitter.com/i/adsct?txn_id=1&tw_document_href=" UQ
     "&tw_document_referrer=" RQ,
     NULL, NULL, "tw_document_href", "tw_document_referrer"},
};

static void page_url_kinds(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof page_cases / sizeof page_cases[0]; i++) {
        const page_case *pc = &page_cases[i];
        decoded d = decode_req(c, &a, pc->method, pc->url, R, pc->ct, pc->body,
                               pc->body ? strlen(pc->body) : 0);
        const pw_beacon *b = d.n ? &d.b[0] : NULL;
        if (d.st != PW_OK || !b || field_kind(b, pc->page_key) != PW_FIELD_PAGE_URL)
            fprintf(stderr, "  case %zu (%s): %s\n", i, pc->url, d.st ? d.err.msg : "");
        CHECK_INT(d.st, PW_OK);
        CHECK_STR(b ? b->tracker->id : "(no beacon)", pc->tracker);
        CHECK_INT(field_kind(b, pc->page_key), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(b, pc->page_key), U);
        if (pc->ref_key) {
            CHECK_INT(field_kind(b, pc->ref_key), PW_FIELD_REFERRER);
            CHECK_STR(field_value(b, pc->ref_key), R);
        }
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(page_url_kinds))
