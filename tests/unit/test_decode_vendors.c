/* test_decode_vendors.c — every other decoder on the request shapes its tracker sends: TikTok
 * JSON (single and batch), LinkedIn, X, UET, Pinterest, Snap, Google Ads, session replay, script
 * loads and the generic decoder. */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *const PAGE = "https://www.example-hospital.org/find-a-doctor";

static void tiktok(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t len;
    char *body = test_data("tiktok_event.json", &len);
    decoded d = decode_req(c, &a, "POST", "https://analytics.tiktok.com/api/v2/pixel", PAGE,
                           "application/json", body, len);
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->tracker->id, "tiktok-pixel");
        CHECK_STR(b->transport, "json");
        CHECK_STR(b->event_name, "SubmitForm");
        CHECK_STR(b->account_id, "CABCDEF1234567890");
        CHECK_INT(field_kind(b, "context.page.url"), PW_FIELD_PAGE_URL);
        CHECK_INT(field_kind(b, "context.page.referrer"), PW_FIELD_REFERRER);
        CHECK_INT(field_kind(b, "context.user.email"), PW_FIELD_USER_DATA);
        CHECK_INT(field(b, "context.user.email")->hashed, 1);
        CHECK_INT(field_kind(b, "context.user.anonymous_id"), PW_FIELD_DEVICE_ID);
        CHECK_STR(field_value(b, "properties.content_name"), "Depression screening");
        CHECK_INT(field_kind(b, "properties.content_name"), PW_FIELD_CUSTOM_DATA);
        CHECK_STR(field_value(b, "properties.value"), "0");
        CHECK_STR(field_value(b, "is_onsite"), "false");
    }
    free(body);
    body = test_data("tiktok_batch.json", &len);
    decoded bt = decode_req(c, &a, "POST", "https://analytics.tiktok.com/api/v2/pixel/batch", PAGE,
                            "text/plain", body, len);
    CHECK_INT(bt.n, 2);
    if (bt.n == 2) {
        CHECK_STR(bt.b[0].event_name, "Pageview");
        CHECK_STR(bt.b[1].event_name, "ClickButton");
        CHECK_STR(bt.b[1].account_id, "CBATCH0001");
        CHECK_STR(field_value(&bt.b[1], "batch.1.context.page.url"),
                  "https://www.example-hospital.org/b");
        CHECK(field(&bt.b[0], "batch.1.context.page.url") == NULL);
        CHECK_INT(field_kind(&bt.b[1], "batch.1.properties.button_text"), PW_FIELD_CUSTOM_DATA);
    }
    free(body);
    /* hostile batch indices give no flood of beacons */
    const char *sparse = "{\"batch\":{\"99999999\":{\"event\":\"a\"},\"5\":{\"event\":\"b\"}}}";
    decoded sp = decode_req(c, &a, "POST", "https://analytics.tiktok.com/api/v2/pixel/batch", PAGE,
                            "application/json", sparse, strlen(sparse));
    CHECK_INT(sp.st, PW_OK);
    CHECK_INT(sp.n, 2);
    /* more than DK_MAX_BEACONS events: a limit error, the first ones kept */
    size_t cap = 20 * 1200 + 32, len2 = 0;
    char *many = malloc(cap);
    len2 += (size_t)snprintf(many, cap, "{\"batch\":[");
    for (int i = 0; i < 1200; i++)
        len2 += (size_t)snprintf(many + len2, cap - len2, "%s{\"event\":\"e\"}", i ? "," : "");
    len2 += (size_t)snprintf(many + len2, cap - len2, "]}");
    decoded lots = decode_req(c, &a, "POST", "https://analytics.tiktok.com/api/v2/pixel/batch",
                              PAGE, "application/json", many, len2);
    CHECK_INT(lots.st, PW_ERR_LIMIT);
    CHECK_INT(lots.n, 1000);
    free(many);
    /* malformed JSON: parse error with an offset */
    decoded bad = decode_req(c, &a, "POST", "https://analytics.tiktok.com/api/v2/pixel", PAGE,
                             "application/json", "{\"event\":\"x\",", 13);
    CHECK_INT(bad.st, PW_ERR_PARSE);
    CHECK(strstr(bad.err.msg, "json: byte") != NULL);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void linkedin_twitter_uet(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded li = decode_get(c, &a,
                            "https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=987654&time=1700"
                            "&conversionId=13579&url=https%3A%2F%2Fwww.example-hospital.org%2Fthank"
                            "-you%3Fservice%3Dbariatric");
    CHECK_INT(li.n, 1);
    if (li.n == 1) {
        CHECK_STR(li.b[0].account_id, "987654");
        CHECK_STR(li.b[0].event_name, "13579");
        CHECK_INT(field_kind(&li.b[0], "url"), PW_FIELD_PAGE_URL);
    }
    const char *wa = "{\"pids\":[987654],\"scriptVersion\":1,\"url\":\"https://h.org/x\","
                     "\"signalType\":\"CLICK\"}";
    decoded lw = decode_req(c, &a, "POST", "https://px.ads.linkedin.com/wa/", PAGE,
                            "application/json", wa, strlen(wa));
    CHECK_INT(lw.n, 1);
    if (lw.n == 1) {
        CHECK_STR(lw.b[0].account_id, "987654");
        CHECK_STR(lw.b[0].event_name, "CLICK");
    }
    decoded tw = decode_get(c, &a,
                            "https://analytics.twitter.com/i/adsct?bci=4&eci=3&event_id=abc"
                            "&events=%5B%5B%22pageview%22%2C%7B%7D%5D%5D&integration=advertiser"
                            "&p_id=Twitter&p_user_id=0&pl_id=x&tw_document_href=https%3A%2F%2Fwww."
                            "example-hospital.org%2Fmental-health&tw_iframe_status=0&txn_id=o1abc");
    CHECK_INT(tw.n, 1);
    if (tw.n == 1) {
        CHECK_STR(tw.b[0].tracker->id, "twitter-pixel");
        CHECK_STR(tw.b[0].account_id, "o1abc");
        CHECK_STR(tw.b[0].event_name, "pageview");
        CHECK_INT(field_kind(&tw.b[0], "tw_document_href"), PW_FIELD_PAGE_URL);
    }
    decoded tco = decode_get(c, &a, "https://t.co/i/adsct?txn_id=o1abc&events=%5B%5D");
    CHECK_INT(tco.n, 1);
    decoded uet =
        decode_get(c, &a,
                   "https://bat.bing.com/action/0?ti=5566778&tm=gtm002&Ver=2&mid=m-1"
                   "&sid=s-1&vid=v-1&evt=custom&ea=appointment_booked&el=cardiology"
                   "&p=https%3A%2F%2Fh.org%2Fbook&r=&tl=Book%20a%20visit&kw=heart%2Cdoctor");
    CHECK_INT(uet.n, 1);
    if (uet.n == 1) {
        CHECK_STR(uet.b[0].account_id, "5566778");
        CHECK_STR(uet.b[0].event_name, "appointment_booked");
        CHECK_INT(field_kind(&uet.b[0], "p"), PW_FIELD_PAGE_URL);
        CHECK_INT(field_kind(&uet.b[0], "tl"), PW_FIELD_PAGE_TITLE);
        CHECK_INT(field_kind(&uet.b[0], "vid"), PW_FIELD_DEVICE_ID);
    }
    decoded pl = decode_get(c, &a, "https://bat.bing.com/action/0?ti=1&evt=pageLoad&p=x");
    if (pl.n == 1)
        CHECK_STR(pl.b[0].event_name, "pageLoad");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void pinterest_snap_gads(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded pi = decode_get(
        c, &a,
        "https://ct.pinterest.com/v3/?event=lead&tid=2612345678901&pd=%7B%22em%22%3A%22973dfe463e"
        "c85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b%22%7D&ed=%7B%22lead_type%22%3A%22"
        "IVF%20consult%22%7D&ad=%7B%22loc%22%3A%22https%3A%2F%2Fwww.example-hospital.org%"
        "2Ffertility"
        "%22%2C%22ref%22%3A%22%22%7D&cb=1700");
    CHECK_INT(pi.n, 1);
    if (pi.n == 1) {
        CHECK_STR(pi.b[0].account_id, "2612345678901");
        CHECK_STR(pi.b[0].event_name, "lead");
        CHECK_INT(field_kind(&pi.b[0], "pd.em"), PW_FIELD_USER_DATA);
        CHECK_INT(field(&pi.b[0], "pd.em")->hashed, 1);
        CHECK_STR(field_value(&pi.b[0], "ed.lead_type"), "IVF consult");
        CHECK_INT(field_kind(&pi.b[0], "ed.lead_type"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(&pi.b[0], "ad.loc"), PW_FIELD_PAGE_URL);
    }
    const char *snap = "pid=aaaa-bbbb-cccc&ev=SIGN_UP&pl=https%3A%2F%2Fh.org%2Fportal%2Fsignup"
                       "&rf=&u_hem=973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
                       "&u_c1=c1-id&e_desc=diabetes%20program&m_sl=100&ts=1700";
    decoded sn = decode_req(c, &a, "POST", "https://tr.snapchat.com/p", PAGE,
                            "application/x-www-form-urlencoded", snap, strlen(snap));
    CHECK_INT(sn.n, 1);
    if (sn.n == 1) {
        CHECK_STR(sn.b[0].tracker->id, "snap-pixel");
        CHECK_STR(sn.b[0].account_id, "aaaa-bbbb-cccc");
        CHECK_STR(sn.b[0].event_name, "SIGN_UP");
        CHECK_INT(field_kind(&sn.b[0], "u_hem"), PW_FIELD_USER_DATA);
        CHECK_INT(field_kind(&sn.b[0], "e_desc"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(&sn.b[0], "u_c1"), PW_FIELD_DEVICE_ID);
    }
    decoded ga = decode_get(c, &a,
                            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/"
                            "1122334455/?random=1&cv=11&fst=1&num=1&label=AbC-dEf&guid=ON"
                            "&url=https%3A%2F%2Fh.org%2Fcancer-center&tiba=Cancer%20Center"
                            "&data=event%3Dconversion%3Becomm_pagetype%3Dservice");
    CHECK_INT(ga.n, 1);
    if (ga.n == 1) {
        CHECK_STR(ga.b[0].tracker->id, "google-ads");
        CHECK_STR(ga.b[0].account_id, "1122334455");
        CHECK_STR(ga.b[0].event_name, "conversion");
        CHECK_INT(field_kind(&ga.b[0], "tiba"), PW_FIELD_PAGE_TITLE);
        CHECK_STR(field_value(&ga.b[0], "data.ecomm_pagetype"), "service");
    }
    decoded ul = decode_get(c, &a, "https://www.google.com/pagead/1p-user-list/998877/?url=x");
    CHECK_INT(ul.n, 1);
    if (ul.n == 1) {
        CHECK_STR(ul.b[0].account_id, "998877");
        CHECK_STR(ul.b[0].event_name, "remarketing");
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void replay_and_scripts(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *bin = "\x1f\x8b\x08\x00garbage\x00\x01";
    decoded fs = decode_req(c, &a, "POST", "https://rs.fullstory.com/rec/bundle?OrgId=o-1&UserId=u",
                            PAGE, "application/octet-stream", bin, 13);
    CHECK_INT(fs.st, PW_OK);
    CHECK_INT(fs.n, 1);
    if (fs.n == 1) {
        CHECK_INT(fs.b[0].kind, PW_BEACON_REPLAY);
        CHECK_STR(fs.b[0].account_id, "o-1");
    }
    decoded hj =
        decode_req(c, &a, "POST", "https://in.hotjar.com/api/v2/client/sites/123/visit-data", PAGE,
                   "text/plain", "{\"r\":1", 6);
    CHECK_INT(hj.st, PW_OK); /* an unreadable replay body is not an error */
    CHECK_INT(hj.n, 1);
    if (hj.n == 1) {
        CHECK_INT(hj.b[0].kind, PW_BEACON_REPLAY);
        CHECK_STR(hj.b[0].account_id,
                  "123"); /* the site, as its loader hotjar-<site>.js names it */
    }
    decoded hjx = decode_get(c, &a, "https://in.hotjar.com/api/v2/client/sites/12x/visit-data");
    if (hjx.n == 1)
        CHECK(hjx.b[0].account_id == NULL); /* not a site ID */
    decoded fb = decode_get(c, &a, "https://connect.facebook.net/en_US/fbevents.js");
    CHECK_INT(fb.n, 1);
    if (fb.n == 1) {
        CHECK_INT(fb.b[0].kind, PW_BEACON_SCRIPT);
        CHECK_STR(fb.b[0].transport, "script");
        CHECK_STR(fb.b[0].tracker->id, "meta-pixel");
    }
    decoded cfg = decode_get(c, &a, "https://connect.facebook.net/signals/config/445566?v=2.9.1");
    if (cfg.n == 1)
        CHECK_STR(cfg.b[0].account_id, "445566");
    decoded gtm = decode_get(c, &a, "https://www.googletagmanager.com/gtm.js?id=GTM-ABCD12");
    CHECK_INT(gtm.n, 1);
    if (gtm.n == 1) {
        CHECK_INT(gtm.b[0].kind, PW_BEACON_SCRIPT);
        CHECK_STR(gtm.b[0].account_id, "GTM-ABCD12");
    }
    decoded gt = decode_get(c, &a, "https://www.googletagmanager.com/gtag/js?id=G-XYZ987");
    if (gt.n == 1)
        CHECK_STR(gt.b[0].account_id, "G-XYZ987");
    CHECK_INT(gt.n, 1);
    decoded ins = decode_get(c, &a, "https://snap.licdn.com/li.lms-analytics/insight.min.js");
    CHECK_INT(ins.n, 1);
    if (ins.n == 1)
        CHECK_INT(ins.b[0].kind, PW_BEACON_SCRIPT);
    decoded hjs = decode_get(c, &a, "https://static.hotjar.com/c/hotjar-3456789.js?sv=6");
    if (hjs.n == 1) {
        CHECK_INT(hjs.b[0].kind, PW_BEACON_SCRIPT);
        CHECK_STR(hjs.b[0].account_id, "3456789");
    }
    /* the resource type, when known, decides */
    pw_request r = {.method = "GET", .url = "https://bat.bing.com/bat.js", .resource_type = "xhr"};
    pw_beacon *bs;
    size_t n;
    CHECK_INT(pw_decode(c, &a, &r, &bs, &n, NULL), PW_OK);
    if (n == 1)
        CHECK_INT(bs[0].kind, PW_BEACON_EVENT);
    /* a conversion ping loaded through a <script> tag is still a beacon */
    pw_request js = {.method = "GET",
                     .url = "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/77/"
                            "?url=https%3A%2F%2Fh.org%2F&fmt=3",
                     .resource_type = "script"};
    CHECK_INT(pw_decode(c, &a, &js, &bs, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(bs[0].kind, PW_BEACON_EVENT);
        CHECK_STR(bs[0].account_id, "77");
    }
    decoded cl = decode_get(c, &a, "https://www.clarity.ms/tag/abc123xyz?ref=gtm2");
    CHECK_INT(cl.n, 1);
    if (cl.n == 1) {
        CHECK_INT(cl.b[0].kind, PW_BEACON_SCRIPT);
        CHECK_STR(cl.b[0].account_id, "abc123xyz");
    }
    decoded cc =
        decode_req(c, &a, "POST", "https://w.clarity.ms/collect", PAGE, "text/plain", "x", 1);
    CHECK_INT(cc.n, 1);
    if (cc.n == 1)
        CHECK_INT(cc.b[0].kind, PW_BEACON_REPLAY);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void generic(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *seg =
        "{\"type\":\"track\",\"event\":\"Appointment Requested\",\"writeKey\":\"wk1\","
        "\"anonymousId\":\"anon-1\",\"properties\":{\"specialty\":\"oncology\"},"
        "\"context\":{\"page\":{\"url\":\"https://h.org/oncology\",\"title\":\"Onc\"},"
        "\"traits\":{\"email\":\"jane@example.org\"}}}";
    decoded s = decode_req(c, &a, "POST", "https://api.segment.io/v1/t", PAGE, "text/plain", seg,
                           strlen(seg));
    CHECK_INT(s.n, 1);
    if (s.n == 1) {
        CHECK_STR(s.b[0].tracker->id, "segment");
        CHECK_STR(s.b[0].event_name, "Appointment Requested");
        CHECK_STR(s.b[0].account_id, "wk1");
        CHECK_INT(field_kind(&s.b[0], "context.page.url"), PW_FIELD_PAGE_URL);
        CHECK_INT(field_kind(&s.b[0], "context.page.title"), PW_FIELD_PAGE_TITLE);
        CHECK_INT(field_kind(&s.b[0], "context.traits.email"), PW_FIELD_USER_DATA);
        CHECK_INT(field_kind(&s.b[0], "anonymousId"), PW_FIELD_DEVICE_ID);
    }
    decoded cr = decode_get(c, &a,
                            "https://sslwidget.criteo.com/event?a=123&v=5&p0=e%3Dvh"
                            "&dl=https%3A%2F%2Fh.org%2Fx%3Fs%3Dknee%2Breplacement");
    CHECK_INT(cr.n, 1);
    if (cr.n == 1) {
        CHECK_STR(cr.b[0].tracker->id, "criteo");
        CHECK_STR(field_value(&cr.b[0], "dl?s"), "knee replacement");
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* Sizmek's OneTag: onetagid is the account; its "$$…$$" macro wrapper does not hide the page URL
 * (or the search terms in it); a user match's dpid is a partner, no account. */
static void sizmek(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded ot = decode_get(c, &a,
                            "https://bs.serving-sys.com/Serving?cn=ot&onetagid=7283&dispType=js"
                            "&sessionid=894715&pageurl=$$https%3A%2F%2Fh.org%2Ffind-a-doctor"
                            "%3Fcondition%3Ddiabetes$$&activityValues=$$Session%3D16347$$");
    CHECK_INT(ot.n, 1);
    if (ot.n == 1) {
        CHECK_STR(ot.b[0].tracker->id, "sizmek");
        CHECK_STR(ot.b[0].account_id, "7283");
        CHECK_STR(field_value(&ot.b[0], "pageurl"),
                  "https://h.org/find-a-doctor?condition=diabetes");
        CHECK_INT(field_kind(&ot.b[0], "pageurl"), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(&ot.b[0], "pageurl?condition"), "diabetes");
        CHECK_INT(field_kind(&ot.b[0], "sessionid"), PW_FIELD_DEVICE_ID);
        CHECK_STR(field_value(&ot.b[0], "activityValues"), "Session=16347");
    }
    decoded um = decode_get(c, &a,
                            "https://bs.serving-sys.com/serving?cn=um&dpid=12&rtu=https%3A%2F%2F"
                            "p.rfihub.com%2Fcm%3Fin%3D1");
    CHECK_INT(um.n, 1);
    if (um.n == 1)
        CHECK(um.b[0].account_id == NULL);
    decoded bare = decode_get(c, &a, "https://bs.serving-sys.com/Serving?pageurl=$$&x=$$$");
    CHECK_INT(bare.n, 1); /* a wrapper too short to hold a value is left as it is */
    if (bare.n == 1)
        CHECK_STR(field_value(&bare.b[0], "pageurl"), "$$");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(tiktok), PW_TEST(linkedin_twitter_uet), PW_TEST(pinterest_snap_gads),
             PW_TEST(replay_and_scripts), PW_TEST(generic), PW_TEST(sizmek))
