/*
 * test_decode_ga_items.c — Google Analytics beyond the plain hit: GA4 and Universal Analytics
 * e-commerce items (pr1=id…~nm…, pr1nm, il1pi1nm, promo1nm) decoded into items[0].item_name …
 * as a thing's custom data, GA4's enhanced-measurement form fields as form metadata, and GA4
 * reached through a server-side tagging path of the site's own host.
 */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *const PAGE = "https://www.example-hospital.org/shop/checkout";

/* The item field `key` of b: kind custom data and a thing's object. */
static int item_field(const pw_beacon *b, const char *key, const char *value)
{
    const pw_field *f = field(b, key);
    if (!f) {
        fprintf(stderr, "  no field %s\n", key);
        return 0;
    }
    if (strcmp(f->value, value) != 0 || f->value_len != strlen(value))
        fprintf(stderr, "  %s = '%s', want '%s'\n", key, f->value, value);
    return strcmp(f->value, value) == 0 && f->value_len == strlen(value) &&
           f->kind == PW_FIELD_CUSTOM_DATA && f->object == PW_OBJECT_THING;
}

static void ga4_items(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123"
                           "&en=purchase&pr1=idSKU-881~nmHIV+Home+Test+Kit~brAcme~caTesting"
                           "~c2Home+kits~vaSingle~pr39.99~qt1~cpSPRING~ds2.00~afStore~lp3"
                           "~lisearch_results~lnSearch+results~k0condition~v0HIV~k1dose"
                           "~v1one~v7orphan~xyunknown+code~nm~k2"
                           "&pr2=idSKU-882~nmPrenatal+vitamins");
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    const pw_beacon *b = d.n ? &d.b[0] : NULL;
    CHECK(item_field(b, "items[0].item_id", "SKU-881"));
    CHECK(item_field(b, "items[0].item_name", "HIV Home Test Kit"));
    CHECK(item_field(b, "items[0].item_brand", "Acme"));
    CHECK(item_field(b, "items[0].item_category", "Testing"));
    CHECK(item_field(b, "items[0].item_category2", "Home kits"));
    CHECK(item_field(b, "items[0].item_variant", "Single"));
    CHECK(item_field(b, "items[0].price", "39.99"));
    CHECK(item_field(b, "items[0].quantity", "1"));
    CHECK(item_field(b, "items[0].coupon", "SPRING"));
    CHECK(item_field(b, "items[0].discount", "2.00"));
    CHECK(item_field(b, "items[0].affiliation", "Store"));
    CHECK(item_field(b, "items[0].index", "3"));
    CHECK(item_field(b, "items[0].item_list_id", "search_results"));
    CHECK(item_field(b, "items[0].item_list_name", "Search results"));
    /* custom item parameters: kN names vN's value */
    CHECK(item_field(b, "items[0].condition", "HIV"));
    CHECK(item_field(b, "items[0].dose", "one"));
    CHECK(item_field(b, "items[0].v7", "orphan")); /* a value without its key */
    CHECK(item_field(b, "items[0].xy", "unknown code"));
    CHECK(field(b, "items[0].k0") == NULL); /* a key names a value, no field of its own */
    CHECK(item_field(b, "items[1].item_id", "SKU-882"));
    CHECK(item_field(b, "items[1].item_name", "Prenatal vitamins"));
    /* the raw parameter stays as sent */
    CHECK_INT(field_kind(b, "pr2"), PW_FIELD_OTHER);
    CHECK_STR(field_value(b, "pr2"), "idSKU-882~nmPrenatal vitamins");
    CHECK_INT(count_kind(b, PW_FIELD_CUSTOM_DATA), 20);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* A batched body's lines carry their own items; the query's are every line's. */
static void ga4_items_in_batch(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *body = "en=view_item&pr1=idA~nmInsulin+pen\nen=add_to_cart&pr1=idB~nmGlucose+meter";
    decoded d =
        decode_req(c, &a, "POST", "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123",
                   PAGE, "text/plain", body, strlen(body));
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 2);
    if (d.n == 2) {
        CHECK(item_field(&d.b[0], "items[0].item_name", "Insulin pen"));
        CHECK(item_field(&d.b[1], "items[0].item_name", "Glucose meter"));
        CHECK(field(&d.b[1], "items[0].item_id") && field(&d.b[0], "items[1].item_id") == NULL);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* Keys shaped like items but not items stay as they were. */
static void ga4_not_items(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123"
                           "&en=purchase&pr=idX~nmY&pr0=idX~nmY&pr1x=idX~nmY&pr1=&ep.pr1=nmY");
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1)
        for (size_t i = 0; i < d.b[0].n_fields; i++)
            CHECK(strncmp(d.b[0].fields[i].key, "items[", 6) != 0);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void ua_items(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&cid=1.2"
                           "&t=event&ec=ecommerce&ea=purchase&pa=purchase&ti=T1"
                           "&pr1id=SKU-881&pr1nm=HIV%20Home%20Test%20Kit&pr1ca=Testing"
                           "&pr1br=Acme&pr1va=Single&pr1pr=39.99&pr1qt=1&pr1cc=SPRING&pr1ps=2"
                           "&pr1cd3=condition&pr1cm2=5&pr2nm=Naloxone"
                           "&il1nm=Search%20Results&il1pi2nm=PrEP%20starter%20pack&il1pi2ps=2"
                           "&promo1id=P1&promo1nm=Diabetes%20month&promo1cr=banner&promo1ps=top"
                           "&promoa=click&pr=1&prx=2&il1=3&il1pi=4&pr1=5");
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    const pw_beacon *b = d.n ? &d.b[0] : NULL;
    CHECK_STR(b ? b->event_name : NULL, "purchase");
    CHECK(item_field(b, "items[0].item_id", "SKU-881"));
    CHECK(item_field(b, "items[0].item_name", "HIV Home Test Kit"));
    CHECK(item_field(b, "items[0].item_category", "Testing"));
    CHECK(item_field(b, "items[0].item_brand", "Acme"));
    CHECK(item_field(b, "items[0].item_variant", "Single"));
    CHECK(item_field(b, "items[0].price", "39.99"));
    CHECK(item_field(b, "items[0].quantity", "1"));
    CHECK(item_field(b, "items[0].coupon", "SPRING"));
    CHECK(item_field(b, "items[0].index", "2"));
    CHECK(item_field(b, "items[0].dimension3", "condition"));
    CHECK(item_field(b, "items[0].metric2", "5"));
    CHECK(item_field(b, "items[1].item_name", "Naloxone"));
    CHECK(item_field(b, "item_lists[0].item_list_name", "Search Results"));
    CHECK(item_field(b, "item_lists[0].items[1].item_name", "PrEP starter pack"));
    CHECK(item_field(b, "item_lists[0].items[1].index", "2"));
    CHECK(item_field(b, "promotions[0].promotion_id", "P1"));
    CHECK(item_field(b, "promotions[0].promotion_name", "Diabetes month"));
    CHECK(item_field(b, "promotions[0].creative_name", "banner"));
    CHECK(item_field(b, "promotions[0].creative_slot", "top"));
    /* the wire parameters stay; promoa, pr, prx, il1, il1pi, pr1 are no item attributes */
    CHECK_INT(field_kind(b, "pr1nm"), PW_FIELD_OTHER);
    size_t items = 0;
    for (size_t i = 0; b && i < b->n_fields; i++)
        items += b->fields[i].object == PW_OBJECT_THING;
    CHECK_INT(items, 19);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* GA4's enhanced-measurement form interactions describe the form (as cd[formFeatures]). */
static void ga4_form_fields(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_get(c, &a,
                           "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123"
                           "&en=form_start&ep.form_id=portal-login&ep.form_name=login"
                           "&ep.form_destination=https%3A%2F%2Fwww.example-hospital.org%2Flogin"
                           "&epn.form_length=3&ep.form_topic=diabetes"
                           "&ep.form_submit_text=Request%20appointment");
    CHECK_INT(d.n, 1);
    const pw_beacon *b = d.n ? &d.b[0] : NULL;
    CHECK_INT(field_kind(b, "ep.form_id"), PW_FIELD_FORM_META);
    CHECK_INT(field_kind(b, "ep.form_name"), PW_FIELD_FORM_META);
    CHECK_INT(field_kind(b, "ep.form_destination"), PW_FIELD_FORM_META);
    CHECK_INT(field_kind(b, "epn.form_length"), PW_FIELD_FORM_META);
    CHECK_INT(field_kind(b, "ep.form_topic"), PW_FIELD_CUSTOM_DATA); /* the site's own */
    /* form_submit's submit-button text is button text, as Meta's cd[buttonText] */
    CHECK_INT(field_kind(b, "ep.form_submit_text"), PW_FIELD_BUTTON_TEXT);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* Server-side tagging: GA4 and its loaders under any path of any host, when the query has
 * GA4's shape; other /collect endpoints and shapes are not GA4. */
static void server_side_paths(void)
{
    pw_catalog *c = test_catalog();
    static const struct {
        const char *url, *id;
    } cases[] = {
        {"https://www.example-hospital.org/metrics/g/collect?v=2&tid=G-SSS998&en=page_view",
         "ga4-server-side"},
        {"https://www.example-hospital.org/a/b/g/collect?en=page_view&tid=G-X1&v=2",
         "ga4-server-side"},
        {"https://sgtm.example-hospital.org/g/collect?v=2&tid=G-SSS999", "ga4-server-side"},
        {"https://sgtm.example-hospital.org/g/collect", "ga4-server-side"}, /* as before */
        {"https://www.example-hospital.org/metrics/gtm.js?id=GTM-ABCD123", "gtm-server-side"},
        {"https://www.example-hospital.org/gtm.js?id=GTM-ABCD123", "gtm-server-side"},
        {"https://www.example-hospital.org/t/gtag/js?id=G-ABC123", "gtm-server-side"},
        {"https://www.example-hospital.org/gtag/js?l=dataLayer&id=GT-ABC123", "gtm-server-side"},
        {"https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123", "ga4"},
        {"https://www.googletagmanager.com/gtm.js?id=GTM-ABCD123", "google-tag-manager"},
        /* not GA4's shape */
        {"https://www.example-hospital.org/metrics/g/collect?v=1&tid=G-SSS998", NULL},
        {"https://www.example-hospital.org/metrics/g/collect?v=2&tid=UA-1-1", NULL},
        {"https://www.example-hospital.org/metrics/g/collect?v=2", NULL},
        {"https://www.example-hospital.org/metrics/g/collect?xv=2&tid=G-1", NULL},
        {"https://www.example-hospital.org/metrics/g/collectx?v=2&tid=G-1", NULL},
        {"https://www.example-hospital.org/collect?v=2&tid=G-SSS998", NULL},
        {"https://www.example-hospital.org/api/collect?v=2&tid=G-SSS998", NULL},
        {"https://www.example-hospital.org/js/gtm.js", NULL},
        {"https://www.example-hospital.org/js/gtm.js?id=123", NULL},
        {"https://www.example-hospital.org/gtag/js?id=AW-123", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pw_tracker *t = pw_catalog_match(c, cases[i].url);
        if (cases[i].id) {
            CHECK(t != NULL);
            CHECK_STR(t ? t->id : "(none)", cases[i].id);
        } else if (t) {
            fprintf(stderr, "  %s matched %s\n", cases[i].url, t->id);
            CHECK(t == NULL);
        }
    }
    pw_catalog_free(c);
}

/* The first-party GA4 hit is decoded as GA4 (its path does not start with /g/collect). */
static void server_side_decoded(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = decode_req(c, &a, "POST",
                           "https://www.example-hospital.org/metrics/g/collect?v=2&tid=G-SSS998"
                           "&cid=1.2&en=view_item&dl=https%3A%2F%2Fwww.example-hospital.org%2F"
                           "find-a-doctor%3Fq%3Dhiv%2Btesting&pr1=idA~nmPrEP",
                           "https://www.example-hospital.org/find-a-doctor?q=hiv+testing",
                           "text/plain", "", 0);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    const pw_beacon *b = d.n ? &d.b[0] : NULL;
    CHECK_STR(b ? b->tracker->id : NULL, "ga4-server-side");
    CHECK_STR(b ? b->account_id : NULL, "G-SSS998");
    CHECK_STR(b ? b->event_name : NULL, "view_item");
    CHECK_INT(field_kind(b, "cid"), PW_FIELD_DEVICE_ID);
    CHECK_STR(field_value(b, "dl?q"), "hiv testing");
    CHECK(item_field(b, "items[0].item_name", "PrEP"));
    d = decode_get(c, &a, "https://www.example-hospital.org/metrics/gtm.js?id=GTM-ABCD123");
    CHECK_INT(d.n, 1);
    CHECK_INT(d.n ? (int)d.b[0].kind : -1, PW_BEACON_SCRIPT);
    CHECK_STR(d.n ? d.b[0].account_id : NULL, "GTM-ABCD123");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* A user catalog's query condition without '=' is an error naming the entry and condition. */
static void query_condition_errors(void)
{
    char path[] = "/tmp/test_decode_ga_items_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("mine\tMe\tMine\tanalytics\tno\tnone\tgeneric\t*\t/x/collect?v=2&tid\n", f);
    fclose(f);
    pw_catalog *c = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_load(path, &c, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, ":1: mine: query condition 'tid'") != NULL);
    f = fopen(path, "w");
    fputs("mine\tMe\tMine\tanalytics\tno\tnone\tgeneric\t*\t/x/collect?v=2&k=a*b\n", f);
    fclose(f);
    CHECK_INT(pw_catalog_load(path, &c, &err), PW_OK);
    const pw_tracker *t = pw_catalog_match(c, "https://h.example/x/collect?k=aXYb&v=2");
    CHECK_STR(t ? t->id : NULL, "mine");
    CHECK(pw_catalog_match(c, "https://h.example/x/collect?k=aXY&v=2") == NULL);
    CHECK_STR(pw_catalog_paths(c, t), "/x/collect?v=2&k=a*b"); /* listed as written */
    pw_catalog_free(c);
    remove(path);
}

PW_TEST_MAIN(PW_TEST(ga4_items), PW_TEST(ga4_items_in_batch), PW_TEST(ga4_not_items),
             PW_TEST(ua_items), PW_TEST(ga4_form_fields), PW_TEST(server_side_paths),
             PW_TEST(server_side_decoded), PW_TEST(query_condition_errors))
