/* test_decode_more.c — Floodlight's `;k=v` path parameters, classic Google Analytics
 * (__utm.gif), click labels as button text (GA4, Universal Analytics, ga.js events, UET) and the
 * account of Google Maps requests (the site's API key, never the per-request token). */
#include "decode_testlib.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *const PAGE = "https://www.example-hospital.org/cancer/breast";

static decoded get(const pw_catalog *c, pw_arena *a, const char *url)
{
    return decode_req(c, a, "GET", url, PAGE, NULL, NULL, 0);
}

static void floodlight_iframe(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = get(c, &a,
                    "https://9630481.fls.doubleclick.net/activityi;src=9630481;type=invmedia;"
                    "cat=cityo003;u3=breast%20cancer;ord=7286802463800;gtm=2odai0;"
                    "auiddc=1823467109.1634740783;~oref=https%3A%2F%2Fwww.example-hospital.org%2F"
                    "patients%2Fliving-with-cancer%3Fq%3Dchemo?");
    CHECK_INT(d.st, PW_OK);
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->tracker->id, "floodlight");
        CHECK_STR(b->tracker->vendor, "Google");
        CHECK_STR(b->account_id, "9630481");
        CHECK_STR(b->event_name, "type=invmedia;cat=cityo003 (Floodlight codes)");
        CHECK_INT(field_kind(b, "src"), PW_FIELD_ACCOUNT);
        CHECK_INT(field_kind(b, "type"), PW_FIELD_EVENT);
        CHECK_INT(field_kind(b, "cat"), PW_FIELD_EVENT);
        CHECK_STR(field_value(b, "u3"), "breast cancer");
        CHECK_INT(field_kind(b, "u3"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(b, "ord"), PW_FIELD_OTHER);
        CHECK_INT(field_kind(b, "auiddc"), PW_FIELD_DEVICE_ID);
        CHECK_STR(field_value(b, "~oref"),
                  "https://www.example-hospital.org/patients/living-with-cancer?q=chemo");
        CHECK_INT(field_kind(b, "~oref"), PW_FIELD_PAGE_URL);
        /* the page URL's own query is one more layer: its search term */
        CHECK_STR(field_value(b, "~oref?q"), "chemo");
        CHECK(field(b, "activityi") == NULL);
    }
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void floodlight_other_endpoints(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    /* adservice.google.com with an unencoded ~oref: the '/' stay in its value */
    decoded ad = get(c, &a,
                     "https://adservice.google.com/ddm/fls/p/src=9630481;type=invmedia;"
                     "cat=cityo00;dc_lat=;npa=;ord=1;~oref=https://www.example-hospital.org/"
                     "conditions/hiv");
    CHECK_INT(ad.n, 1);
    if (ad.n == 1) {
        CHECK_STR(ad.b[0].tracker->id, "floodlight");
        CHECK_STR(ad.b[0].account_id, "9630481");
        CHECK_STR(field_value(&ad.b[0], "~oref"),
                  "https://www.example-hospital.org/conditions/hiv");
        CHECK_STR(field_value(&ad.b[0], "dc_lat"), "");
    }
    decoded ddm = get(c, &a,
                      "https://ad.doubleclick.net/ddm/activity/src=10620626;type=invmedia;"
                      "cat=8653_0;u20=%2Fconditions%2Fhiv;ord=1?");
    CHECK_INT(ddm.n, 1);
    if (ddm.n == 1) {
        CHECK_STR(ddm.b[0].tracker->id, "floodlight");
        CHECK_STR(ddm.b[0].account_id, "10620626");
        CHECK_STR(field_value(&ddm.b[0], "u20"), "/conditions/hiv");
    }
    decoded old = get(c, &a, "https://ad.doubleclick.net/activity;src=77;type=a;cat=b;ord=1");
    CHECK_INT(old.n, 1);
    if (old.n == 1) {
        CHECK_STR(old.b[0].tracker->id, "floodlight");
        CHECK_STR(old.b[0].event_name, "type=a;cat=b (Floodlight codes)");
    }
    decoded red = get(c, &a,
                      "https://8133010.fls.doubleclick.net/ddm/fls/r/src=8133010;type=retar0;"
                      "cat=retar0;ord=1");
    CHECK_INT(red.n, 1);
    if (red.n == 1)
        CHECK_STR(red.b[0].account_id, "8133010");
    /* a query of its own is read too; only the tag given: it names the event */
    decoded q = get(c, &a, "https://ad.doubleclick.net/activity;src=5;cat=lead?u1=knee%20pain");
    if (q.n == 1) {
        CHECK_STR(q.b[0].event_name, "cat=lead (Floodlight code)");
        CHECK_INT(field_kind(&q.b[0], "u1"), PW_FIELD_CUSTOM_DATA);
    }
    /* other DoubleClick traffic stays with the ad-serving entry */
    decoded cm = get(c, &a, "https://cm.g.doubleclick.net/pixel?google_nid=x");
    CHECK_INT(cm.n, 1);
    if (cm.n == 1)
        CHECK_STR(cm.b[0].tracker->id, "doubleclick");
    /* hostile path: empty keys, no '=' and stray ';' give no field and no crash */
    decoded odd = get(c, &a, "https://ad.doubleclick.net/activity;;=x;;src;%;~oref=");
    CHECK_INT(odd.st, PW_OK);
    if (odd.n == 1)
        CHECK(odd.b[0].account_id == NULL);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void classic_ga(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded d = get(c, &a,
                    "https://ssl.google-analytics.com/__utm.gif?utmwv=5.7.2&utms=2&utmn=17598"
                    "&utmhn=www.example-hospital.org&utmcs=UTF-8&utmdt=HIV%20Treatment%20Options"
                    "&utmhid=1&utmr=-&utmp=%2Fconditions%2Fhiv%2Ftreatment%3Fq%3Dprep"
                    "&utmac=UA-111-1&utmcc=__utma%3D1.2.3.4.5.1%3B");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        const pw_beacon *b = &d.b[0];
        CHECK_STR(b->tracker->id, "universal-analytics");
        CHECK_STR(b->account_id, "UA-111-1");
        CHECK_STR(b->event_name, "pageview");
        CHECK_STR(field_value(b, "utmp"),
                  "https://www.example-hospital.org/conditions/hiv/treatment?q=prep");
        CHECK_INT(field_kind(b, "utmp"), PW_FIELD_PAGE_URL);
        CHECK_STR(field_value(b, "utmp?q"), "prep");
        CHECK_INT(field_kind(b, "utmdt"), PW_FIELD_PAGE_TITLE);
        CHECK_STR(field_value(b, "utmdt"), "HIV Treatment Options");
        CHECK_INT(field_kind(b, "utmr"), PW_FIELD_REFERRER);
        CHECK_INT(field_kind(b, "utmcc"), PW_FIELD_DEVICE_ID);
        CHECK_INT(field_kind(b, "utmn"), PW_FIELD_OTHER);
    }
    /* an http page's hit (www.google-analytics.com) gives an http page URL; no host: path kept */
    decoded h =
        get(c, &a, "http://www.google-analytics.com/__utm.gif?utmhn=h.org&utmp=%2Fa&utmac=UA-2");
    if (h.n == 1)
        CHECK_STR(field_value(&h.b[0], "utmp"), "http://h.org/a");
    decoded nh = get(c, &a, "https://stats.g.doubleclick.net/__utm.gif?utmp=%2Fb&utmac=UA-3");
    CHECK_INT(nh.n, 1);
    if (nh.n == 1) {
        CHECK_STR(nh.b[0].tracker->id, "universal-analytics");
        CHECK_STR(field_value(&nh.b[0], "utmp"), "/b");
    }
    /* an event hit: utme's values split out, a click's label is button text */
    decoded ev = get(c, &a,
                     "https://ssl.google-analytics.com/__utm.gif?utmt=event&utmhn=h.org"
                     "&utme=5(Buttons*click*Schedule%20mammogram'2now)(3)8(service)9(oncology)"
                     "&utmp=%2Fbook&utmac=UA-4");
    CHECK_INT(ev.n, 1);
    if (ev.n == 1) {
        const pw_beacon *b = &ev.b[0];
        CHECK_STR(b->event_name, "click");
        CHECK_STR(field_value(b, "utme.5.0"), "Buttons");
        CHECK_STR(field_value(b, "utme.5.2"), "Schedule mammogram*now");
        CHECK_INT(field_kind(b, "utme.5.2"), PW_FIELD_BUTTON_TEXT);
        CHECK_STR(field_value(b, "utme.5.3"), "3");
        CHECK_STR(field_value(b, "utme.8.0"), "service");
        CHECK_STR(field_value(b, "utme.9.0"), "oncology");
        CHECK_INT(field_kind(b, "utme.9.0"), PW_FIELD_CUSTOM_DATA);
    }
    /* ga.js's POST form (/j/__utm.gif): the body is the same query string */
    const char *body = "utmac=UA-5&utmhn=h.org&utmp=%2Fpost&utmdt=Depression%20care";
    decoded po = decode_req(c, &a, "POST", "https://ssl.google-analytics.com/j/__utm.gif?utmwv=5",
                            PAGE, "text/plain", body, strlen(body));
    CHECK_INT(po.n, 1);
    if (po.n == 1) {
        CHECK_STR(po.b[0].account_id, "UA-5");
        CHECK_STR(field_value(&po.b[0], "utmp"), "https://h.org/post");
        CHECK_INT(field_kind(&po.b[0], "utmdt"), PW_FIELD_PAGE_TITLE);
    }
    /* a malformed utme is read as far as it goes, never an error */
    decoded bad = get(c, &a, "https://ssl.google-analytics.com/__utm.gif?utme=5(a*b'&utmac=UA-6");
    CHECK_INT(bad.st, PW_OK);
    CHECK_INT(bad.n, 1);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void click_labels(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    decoded g = get(c, &a,
                    "https://www.google-analytics.com/g/collect?v=2&tid=G-XYZ&cid=1.2&en=click"
                    "&ep.link_text=Book%20a%20cardiology%20appointment&ep.link_url=https%3A%2F%2F"
                    "mychart.h.org%2Fschedule&ep.click_text=Cardiology&ep.button_text=Call%20us");
    CHECK_INT(g.n, 1);
    if (g.n == 1) {
        CHECK_INT(field_kind(&g.b[0], "ep.link_text"), PW_FIELD_BUTTON_TEXT);
        CHECK_INT(field_kind(&g.b[0], "ep.click_text"), PW_FIELD_BUTTON_TEXT);
        CHECK_INT(field_kind(&g.b[0], "ep.button_text"), PW_FIELD_BUTTON_TEXT);
        CHECK_INT(field_kind(&g.b[0], "ep.link_url"), PW_FIELD_CUSTOM_DATA);
    }
    /* a click event's generic label is the element's text; a page view's is not */
    decoded gl = get(c, &a,
                     "https://www.google-analytics.com/g/collect?v=2&tid=G-1&en=cta_click"
                     "&ep.event_label=Find%20an%20oncologist");
    if (gl.n == 1)
        CHECK_INT(field_kind(&gl.b[0], "ep.event_label"), PW_FIELD_BUTTON_TEXT);
    decoded gp = get(c, &a,
                     "https://www.google-analytics.com/g/collect?v=2&tid=G-1&en=page_view"
                     "&ep.event_label=Find%20an%20oncologist");
    if (gp.n == 1)
        CHECK_INT(field_kind(&gp.b[0], "ep.event_label"), PW_FIELD_CUSTOM_DATA);
    /* batched GA4 body: each line decides for itself */
    const char *batch = "en=page_view&ep.event_label=x\r\nen=click&ep.event_label=HIV%20testing";
    decoded gb = decode_req(c, &a, "POST",
                            "https://region1.google-analytics.com/g/collect?v=2"
                            "&tid=G-1",
                            PAGE, "text/plain", batch, strlen(batch));
    CHECK_INT(gb.n, 2);
    if (gb.n == 2) {
        CHECK_INT(field_kind(&gb.b[0], "ep.event_label"), PW_FIELD_CUSTOM_DATA);
        CHECK_INT(field_kind(&gb.b[1], "ep.event_label"), PW_FIELD_BUTTON_TEXT);
    }
    decoded ua = get(c, &a,
                     "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&cid=1.2&t=event"
                     "&ec=Appointments&ea=click&el=Schedule%20mammogram");
    CHECK_INT(ua.n, 1);
    if (ua.n == 1) {
        CHECK_STR(ua.b[0].event_name, "click");
        CHECK_INT(field_kind(&ua.b[0], "el"), PW_FIELD_BUTTON_TEXT);
        CHECK_INT(field_kind(&ua.b[0], "ea"), PW_FIELD_CUSTOM_DATA);
    }
    decoded ub = get(c, &a,
                     "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&t=event"
                     "&ec=CTA%20Button&ea=Request&el=Second%20opinion");
    if (ub.n == 1)
        CHECK_INT(field_kind(&ub.b[0], "el"), PW_FIELD_BUTTON_TEXT);
    decoded ud = get(c, &a,
                     "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&t=event"
                     "&ec=Video&ea=play&el=Knee%20surgery");
    if (ud.n == 1)
        CHECK_INT(field_kind(&ud.b[0], "el"), PW_FIELD_CUSTOM_DATA);
    decoded uet = get(c, &a,
                      "https://bat.bing.com/action/0?ti=5555&evt=custom&ea=click"
                      "&el=Schedule%20mammogram&ec=button&p=https%3A%2F%2Fh.org%2F");
    CHECK_INT(uet.n, 1);
    if (uet.n == 1) {
        CHECK_STR(uet.b[0].event_name, "click");
        CHECK_INT(field_kind(&uet.b[0], "el"), PW_FIELD_BUTTON_TEXT);
    }
    decoded ue = get(c, &a,
                     "https://bat.bing.com/action/0?ti=5555&evt=custom&ea=booked"
                     "&el=cardiology");
    if (ue.n == 1)
        CHECK_INT(field_kind(&ue.b[0], "el"), PW_FIELD_CUSTOM_DATA);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

static void maps_account(void)
{
    pw_catalog *c = test_catalog();
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *key = "AIzaSyDuRY-BMAtBAIm1P8HW5Ts8ztNiofeZgBY";
    decoded d = get(c, &a,
                    "https://maps.googleapis.com/maps/api/js/AuthenticationService.Authenticate?"
                    "1shttps%3A%2F%2Fwww.example-hospital.org%2F&4sAIzaSyDuRY-BMAtBAIm1P8HW5Ts8ztN"
                    "iofeZgBY&callback=_xdc_._61hno3&key=AIzaSyDuRY-BMAtBAIm1P8HW5Ts8ztNiofeZgBY"
                    "&token=14966");
    CHECK_INT(d.n, 1);
    if (d.n == 1) {
        CHECK_STR(d.b[0].tracker->id, "google-maps");
        CHECK_STR(d.b[0].account_id, key);
        CHECK(field_kind(&d.b[0], "token") != PW_FIELD_ACCOUNT);
    }
    decoded t = get(c, &a, "https://maps.googleapis.com/maps/vt?pb=!1m5&token=46527");
    if (t.n == 1)
        CHECK(t.b[0].account_id == NULL);
    /* the loader script names the same key */
    pw_request *r = pw_arena_calloc(&a, 1, sizeof *r);
    r->method = "GET";
    r->url = "https://maps.googleapis.com/maps/api/js?sensor=false&key="
             "AIzaSyDuRY-BMAtBAIm1P8HW5Ts8ztNiofeZgBY";
    r->page_url = PAGE;
    r->resource_type = "script";
    pw_beacon *b = NULL;
    size_t n = 0;
    pw_err err;
    CHECK_INT(pw_decode(c, &a, r, &b, &n, &err), PW_OK);
    if (n == 1)
        CHECK_STR(b[0].account_id, key);
    /* Mixpanel's project token is its account (inside properties) */
    const char *mp = "[{\"event\":\"Viewed\",\"properties\":{\"token\":\"abc123\"}}]";
    decoded m = decode_req(c, &a, "POST", "https://api-js.mixpanel.com/track/", PAGE,
                           "application/json", mp, strlen(mp));
    if (m.n == 1)
        CHECK_STR(m.b[0].account_id, "abc123");
    pw_arena_free(&a);
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(floodlight_iframe), PW_TEST(floodlight_other_endpoints), PW_TEST(classic_ga),
             PW_TEST(click_labels), PW_TEST(maps_account))
