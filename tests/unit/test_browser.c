/* test_browser.c — unit tests of the browser capture source that need no browser: the DevTools
 * message layer and connection (over pipes), the crawl queue and care-intent order, option
 * parsing, the canary identity, cookie files, the HAR writer and the static HTML extractor. */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "capture/browser_int.h"
#include "phiwall/static_scan.h"
#include "pw_test.h"

static void test_msg_parse(void)
{
    cdp_msg m;
    CHECK_INT(cdp_msg_parse("{\"id\":7,\"result\":{\"a\":{\"b\":\"x\"},\"n\":3}}", &m, NULL),
              PW_OK);
    CHECK_INT(m.id, 7);
    CHECK(m.method == NULL);
    CHECK_STR(cdp_str(m.result, "a.b"), "x");
    double n = 0;
    CHECK(cdp_num(m.result, "n", &n) && n == 3);
    CHECK(cdp_str(m.result, "a.c") == NULL);
    CHECK(cdp_str(m.result, "n") == NULL); /* wrong type */
    cdp_msg_free(&m);

    CHECK_INT(cdp_msg_parse("{\"method\":\"Network.requestWillBeSent\",\"sessionId\":\"S1\","
                            "\"params\":{\"request\":{\"url\":\"https://a/\"}}}",
                            &m, NULL),
              PW_OK);
    CHECK_INT(m.id, -1);
    CHECK_STR(m.method, "Network.requestWillBeSent");
    CHECK_STR(m.session, "S1");
    CHECK_STR(cdp_str(m.params, "request.url"), "https://a/");
    cdp_msg_free(&m);

    CHECK_INT(
        cdp_msg_parse("{\"id\":2,\"error\":{\"code\":-32000,\"message\":\"nope\"}}", &m, NULL),
        PW_OK);
    CHECK_STR(m.error, "nope");
    cdp_msg_free(&m);

    pw_err e;
    CHECK_INT(cdp_msg_parse("{\"id\":", &m, &e), PW_ERR_PARSE);
    CHECK(strstr(e.msg, "devtools message") != NULL);
    CHECK_INT(cdp_msg_parse("[1,2]", &m, NULL), PW_ERR_PARSE);
    CHECK_INT(cdp_msg_parse("{\"x\":1}", &m, NULL), PW_ERR_PARSE);
    CHECK_INT(cdp_msg_parse("{\"id\":\"1\"}", &m, NULL), PW_ERR_PARSE);
    CHECK_INT(cdp_msg_parse("{\"id\":-4}", &m, NULL), PW_ERR_PARSE);
}

typedef struct ev_count {
    int n;
    char last[64];
} ev_count;

static void count_event(void *ctx, const cdp_msg *m)
{
    ev_count *c = ctx;
    c->n++;
    snprintf(c->last, sizeof c->last, "%s", m->method);
}

static void put(int fd, const char *s)
{
    CHECK(write(fd, s, strlen(s) + 1) == (ssize_t)strlen(s) + 1); /* with its NUL */
}

static void test_conn_over_pipes(void)
{
    int to_us[2], to_browser[2];
    CHECK(pipe(to_us) == 0 && pipe(to_browser) == 0);
    cdp_conn *c;
    CHECK_INT(cdp_conn_new(to_us[0], to_browser[1], &c, NULL), PW_OK);
    ev_count ev = {0};
    cdp_conn_on_event(c, count_event, &ev);
    /* The "browser" answers before we ask: an event, a stray response, then ours (id 1). */
    put(to_us[1], "{\"method\":\"Page.loadEventFired\",\"params\":{}}");
    put(to_us[1], "{\"id\":99,\"result\":{}}");
    put(to_us[1], "not json at all");
    put(to_us[1], "{\"id\":1,\"result\":{\"v\":\"ok\"}}");
    cdp_msg r;
    CHECK_INT(cdp_call(c, "S", "Runtime.evaluate", "{\"expression\":\"1\"}", 2000, &r, NULL),
              PW_OK);
    CHECK_STR(cdp_str(r.result, "v"), "ok");
    cdp_msg_free(&r);
    CHECK_INT(ev.n, 1);
    CHECK_STR(ev.last, "Page.loadEventFired");
    /* What we wrote: one NUL-terminated command with id, session, method, params. */
    char buf[512];
    ssize_t got = read(to_browser[0], buf, sizeof buf - 1);
    CHECK(got > 0);
    buf[got > 0 ? got : 0] = '\0';
    CHECK_STR(buf, "{\"id\":1,\"sessionId\":\"S\",\"method\":\"Runtime.evaluate\","
                   "\"params\":{\"expression\":\"1\"}}");
    /* A protocol error is PW_ERR_REMOTE with the browser's message. */
    put(to_us[1], "{\"id\":2,\"error\":{\"message\":\"No target\"}}");
    pw_err e;
    CHECK_INT(cdp_call(c, NULL, "Target.attachToTarget", NULL, 2000, NULL, &e), PW_ERR_REMOTE);
    CHECK(strstr(e.msg, "No target") != NULL);
    /* No answer: a timeout, not a hang. (The bound is far from the 150 ms so that a paused
     * machine does not fail it, and below the connection's 10 s write deadline.) */
    long long t0 = cdp_now_ms();
    CHECK_INT(cdp_call(c, NULL, "Browser.getVersion", NULL, 150, NULL, &e), PW_ERR_TIMEOUT);
    CHECK(cdp_now_ms() - t0 < 5000);
    CHECK(!cdp_conn_dead(c));
    /* The browser goes away: EOF marks the connection dead. */
    close(to_us[1]);
    CHECK(cdp_call(c, NULL, "Browser.getVersion", NULL, 2000, NULL, &e) != PW_OK);
    CHECK(cdp_conn_dead(c));
    cdp_conn_free(c);
    close(to_us[0]);
    close(to_browser[0]);
    close(to_browser[1]);
}

static void test_queue_order(void)
{
    bx_queue q;
    bx_queue_init(&q);
    CHECK_INT(bx_queue_push(&q, "https://h.org/careers", "Careers", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/about", "About us", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/schedule", "Schedule an appointment", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/schedule#top", "again", 1), 0);
    CHECK_INT(bx_queue_push(&q, "https://h.org/find-a-doctor", "Find a doctor", 2), 1);
    bx_queue_item it;
    const char *want[] = {"https://h.org/schedule", "https://h.org/find-a-doctor",
                          "https://h.org/about", "https://h.org/careers"};
    for (size_t i = 0; i < 4; i++) {
        CHECK(bx_queue_pop(&q, &it));
        CHECK_STR(it.url, want[i]);
        free(it.url);
    }
    CHECK(!bx_queue_pop(&q, &it));
    bx_queue_free(&q);
    CHECK(bx_care_score("https://h.org/patient-portal/login", NULL) >
          bx_care_score("https://h.org/news/2024", NULL));
}

/* The start URL comes first whatever its score; query variants of one path are capped at
 * BX_VARIANTS_MAX before every distinct page; care pages keep their priority. */
static void test_queue_start_and_variants(void)
{
    bx_queue q;
    bx_queue_init(&q);
    static const char *const doctors[] = {"a", "b", "c", "d", "e"};
    for (size_t i = 0; i < 5; i++) {
        char url[80];
        snprintf(url, sizeof url, "https://h.org/appointments/request?doctor=%s", doctors[i]);
        CHECK_INT(bx_queue_push(&q, url, "Request an appointment", 1), 1);
    }
    CHECK_INT(bx_queue_push(&q, "https://h.org/about", "About us", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/find-a-doctor", "Find a doctor", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/find-a-doctor?q=x", "Find a doctor", 2), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/find-a-doctor?q=y", "Find a doctor", 2), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/services/hiv-care", "HIV care", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/", "home", 0), 1); /* the start URL, last */
    CHECK(bx_care_score("https://h.org/services/hiv-care", "HIV care") >
          bx_care_score("https://h.org/about", "About us"));
    const char *want[] = {"https://h.org/",
                          "https://h.org/appointments/request?doctor=a",
                          "https://h.org/appointments/request?doctor=b",
                          "https://h.org/find-a-doctor",
                          "https://h.org/find-a-doctor?q=x",
                          "https://h.org/services/hiv-care",
                          "https://h.org/about",
                          "https://h.org/appointments/request?doctor=c",
                          "https://h.org/appointments/request?doctor=d",
                          "https://h.org/appointments/request?doctor=e",
                          "https://h.org/find-a-doctor?q=y"};
    bx_queue_item it;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(bx_queue_pop(&q, &it));
        CHECK_STR(it.url, want[i]);
        free(it.url);
    }
    CHECK(!bx_queue_pop(&q, &it));
    bx_queue_free(&q);
}

static void pop_expect(bx_queue *q, const char *want)
{
    bx_queue_item it;
    if (!bx_queue_pop(q, &it)) {
        CHECK(!"queue empty");
        return;
    }
    CHECK_STR(it.url, want);
    free(it.url);
}

/* A crawl that finds a distinct page late (on its 20th page), after the distinct pages queued
 * so far ran out and 3rd+ variants were being visited: the late page, even a general one, comes
 * before every remaining variant beyond the cap; a new path's first two variants do too. */
static void test_queue_late_distinct(void)
{
    bx_queue q;
    bx_queue_init(&q);
    char url[96];
    CHECK_INT(bx_queue_push(&q, "https://h.org/", "home", 0), 1);
    pop_expect(&q, "https://h.org/");
    for (int i = 0; i < 30; i++) {
        snprintf(url, sizeof url, "https://h.org/appointments/request?doctor=d%02d", i);
        CHECK_INT(bx_queue_push(&q, url, "Request an appointment", 1), 1);
    }
    for (int i = 0; i < 15; i++) {
        snprintf(url, sizeof url, "https://h.org/page%02d", i);
        CHECK_INT(bx_queue_push(&q, url, "About", 1), 1);
    }
    pop_expect(&q, "https://h.org/appointments/request?doctor=d00");
    pop_expect(&q, "https://h.org/appointments/request?doctor=d01");
    for (int i = 0; i < 15; i++) {
        snprintf(url, sizeof url, "https://h.org/page%02d", i);
        pop_expect(&q, url);
    }
    /* distinct pages exhausted: 3rd and 4th variants are taken (pages 18, 19) */
    pop_expect(&q, "https://h.org/appointments/request?doctor=d02");
    pop_expect(&q, "https://h.org/appointments/request?doctor=d03");
    /* page 20 links to three new pages: a general page, a careers page, a new path's variants */
    CHECK_INT(bx_queue_push(&q, "https://h.org/news/late", "News", 3), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/careers/late", "Careers", 3), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/events?id=1", "Event", 3), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/events?id=2", "Event", 3), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/events?id=3", "Event", 3), 1);
    CHECK(bx_care_score("https://h.org/careers/late", "Careers") <
          bx_care_score("https://h.org/appointments/request?doctor=d04", "Request an appointment"));
    pop_expect(&q, "https://h.org/events?id=1");
    pop_expect(&q, "https://h.org/events?id=2");
    pop_expect(&q, "https://h.org/news/late");
    pop_expect(&q, "https://h.org/careers/late");
    pop_expect(&q, "https://h.org/appointments/request?doctor=d04"); /* by care score */
    bx_queue_free(&q);
}

/* Care words match at the start of a word: "research" is no "search", "facebook" no "book";
 * stems still match what follows ("scheduling", "doctors") and camel case ("FindADoctor"). */
static void test_care_words(void)
{
    CHECK_INT(bx_care_score("https://h.org/research", "Research"), 0);
    CHECK_INT(bx_care_score("https://h.org/facebook", "Facebook"), 0);
    CHECK_INT(bx_care_score("https://h.org/information", NULL), 0);
    CHECK(bx_care_score("https://h.org/search", "Search") > 0);
    CHECK(bx_care_score("https://h.org/scheduling", NULL) > 0);
    CHECK(bx_care_score("https://h.org/FindADoctor", NULL) > 0);
    CHECK(bx_care_score("https://h.org/our-doctors", NULL) > 0);
}

/* The tag managers whose late tags the settle note speaks of. */
static void test_tag_managers(void)
{
    CHECK_STR(bx_tag_manager_of("https://www.googletagmanager.com/gtm.js?id=GTM-ABC"),
              "Google Tag Manager");
    CHECK_STR(bx_tag_manager_of("https://tags.tiqcdn.com/utag/acme/main/prod/utag.js"),
              "Tealium iQ");
    CHECK_STR(bx_tag_manager_of("https://assets.adobedtm.com/abc/launch-123.min.js"),
              "Adobe Launch");
    CHECK(bx_tag_manager_of("https://connect.facebook.net/en_US/fbevents.js") == NULL);
}

/* Session ids in the path are no part of a URL: the same page under a new session is queued
 * once (Java ";jsessionid=", ASP.NET cookieless "/(S(…))/"); other path parameters stay. */
static void test_queue_session_ids(void)
{
    char *k = bx_url_key("https://h.org/sidx/research;jsessionid=A1B2?x=1#top");
    CHECK_STR(k, "https://h.org/sidx/research?x=1");
    free(k);
    k = bx_url_key("https://h.org/asp/(S(abcdef12))/hiv-aids.aspx");
    CHECK_STR(k, "https://h.org/asp/hiv-aids.aspx");
    free(k);
    k = bx_url_key("https://h.org/a;v=2;PHPSESSID=9/b;sid=3");
    CHECK_STR(k, "https://h.org/a;v=2/b");
    free(k);
    bx_queue q;
    bx_queue_init(&q);
    CHECK_INT(bx_queue_push(&q, "https://h.org/sid/about;jsessionid=AAA", "About", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/sid/about;jsessionid=BBB", "About", 1), 0);
    CHECK_INT(bx_queue_push(&q, "https://h.org/asp/(S(aaa111))/about.aspx", "About", 1), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/asp/(S(bbb222))/about.aspx", "About", 1), 0);
    bx_queue_item it;
    CHECK(bx_queue_pop(&q, &it));
    CHECK_STR(it.url, "https://h.org/sid/about;jsessionid=AAA"); /* visited as linked */
    free(it.url);
    bx_queue_free(&q);
}

/* The reviewer's trap sites, as link lists: a crawl with a budget of 50 pages must reach the
 * care page behind the trap. links() writes the links of a page (url, text) and their count. */
typedef size_t (*site_links_fn)(const char *url, size_t seq, char urls[][128], char texts[][32]);

static size_t cal_links(const char *url, size_t seq, char urls[][128], char texts[][32])
{
    (void)seq;
    size_t n = 0;
    const char *nav[][2] = {
        {"/cal/", "Home"}, {"/cal/events/2026/12", "Events"}, {"/cal/about", "About"}};
    for (size_t i = 0; i < 3; i++, n++) {
        snprintf(urls[n], 128, "https://h.org%s", nav[i][0]);
        snprintf(texts[n], 32, "%s", nav[i][1]);
    }
    const char *p = url + strlen("https://h.org");
    int y, m;
    if (strcmp(p, "/cal/about") == 0) {
        snprintf(urls[n], 128, "https://h.org/cal/about/history");
        snprintf(texts[n++], 32, "History");
    } else if (strcmp(p, "/cal/about/history") == 0) {
        snprintf(urls[n], 128, "https://h.org/cal/health/diabetes");
        snprintf(texts[n++], 32, "Diabetes");
    } else if (sscanf(p, "/cal/events/%d/%d", &y, &m) == 2) {
        for (int d = 1; d <= 28; d++, n++) {
            snprintf(urls[n], 128, "https://h.org/cal/events/%d/%d/%d", y, m, d);
            snprintf(texts[n], 32, "%d", d);
        }
        snprintf(urls[n], 128, "https://h.org/cal/events/%d/%d", m == 12 ? y + 1 : y,
                 m == 12 ? 1 : m + 1);
        snprintf(texts[n++], 32, "Next month");
    }
    return n;
}

static size_t facet_links(const char *url, size_t seq, char urls[][128], char texts[][32])
{
    (void)seq;
    size_t n = 0;
    const char *nav[][2] = {
        {"/facet/", "Home"}, {"/facet/doctors", "Doctors"}, {"/facet/visit", "Visit"}};
    for (size_t i = 0; i < 3; i++, n++) {
        snprintf(urls[n], 128, "https://h.org%s", nav[i][0]);
        snprintf(texts[n], 32, "%s", nav[i][1]);
    }
    const char *p = url + strlen("https://h.org");
    if (strcmp(p, "/facet/visit") == 0) {
        snprintf(urls[n], 128, "https://h.org/facet/visit/parking");
        snprintf(texts[n++], 32, "Parking");
    } else if (strcmp(p, "/facet/visit/parking") == 0) {
        snprintf(urls[n], 128, "https://h.org/facet/conditions/opioid-addiction");
        snprintf(texts[n++], 32, "Opioid addiction");
    } else if (strncmp(p, "/facet/doctors", 14) == 0 && strlen(url) < 100) {
        static const char *const f[] = {"sort/name", "sort/rating", "lang/es", "lang/en",
                                        "gender/f",  "gender/m",    "page/2",  "page/3"};
        for (size_t i = 0; i < 8; i++, n++) {
            snprintf(urls[n], 128, "%s/%s", url, f[i]);
            snprintf(texts[n], 32, "%s", f[i]);
        }
    }
    return n;
}

/* Every link carries a new session id (as each response of a servlet container without a
 * cookie does); "Research" was the top care page by the old "search" match. */
static size_t sid_links(const char *url, size_t seq, char urls[][128], char texts[][32])
{
    size_t n = 0;
    static const char *const nav[] = {"/",          "/about",     "/locations", "/giving",
                                      "/volunteer", "/education", "/research",  "/community"};
    for (size_t i = 0; i < 8; i++, n++) {
        snprintf(urls[n], 128, "https://h.org/sidx%s;jsessionid=S%zu", nav[i], seq);
        snprintf(texts[n], 32, "%s", nav[i][1] ? nav[i] + 1 : "Home");
    }
    const char *p = url + strlen("https://h.org/sidx");
    if (strncmp(p, "/about;", 7) == 0) {
        snprintf(urls[n], 128, "https://h.org/sidx/about/leadership;jsessionid=S%zu", seq);
        snprintf(texts[n++], 32, "Leadership");
    } else if (strncmp(p, "/about/leadership;", 18) == 0) {
        snprintf(urls[n], 128, "https://h.org/sidx/health-library/hiv-aids;jsessionid=S%zu", seq);
        snprintf(texts[n++], 32, "HIV and AIDS");
    }
    return n;
}

/* The page (by its prefix) is visited within 50 pages of a crawl from start. */
static int crawl_finds(const char *start, site_links_fn links, const char *want)
{
    bx_queue q;
    bx_queue_init(&q);
    bx_queue_push(&q, start, "home", 0);
    static char urls[64][128], texts[64][32];
    int found = 0;
    bx_queue_item it;
    for (size_t page = 0; page < 50 && !found && bx_queue_pop(&q, &it); page++) {
        found = strncmp(it.url, want, strlen(want)) == 0;
        size_t n = links(it.url, page, urls, texts);
        for (size_t i = 0; i < n; i++)
            bx_queue_push(&q, urls[i], texts[i], it.depth + 1);
        free(it.url);
    }
    bx_queue_free(&q);
    return found;
}

static void test_queue_path_traps(void)
{
    CHECK(crawl_finds("https://h.org/cal/", cal_links, "https://h.org/cal/health/diabetes"));
    CHECK(crawl_finds("https://h.org/facet/", facet_links,
                      "https://h.org/facet/conditions/opioid-addiction"));
    CHECK(crawl_finds("https://h.org/sidx/", sid_links, "https://h.org/sidx/health-library/hiv"));
}

/* A full queue (BX_QUEUE_MAX) still takes distinct pages found late: they replace variants beyond
 * the cap (the last queued of the most repeated path), and when there are none, the URL taken
 * last if they come before it; a variant beyond the cap displaces nothing. */
static void test_queue_full_keeps_distinct(void)
{
    bx_queue q;
    bx_queue_init(&q);
    char url[96];
    CHECK_INT(bx_queue_push(&q, "https://h.org/", "home", 0), 1);
    for (int i = 1; i < BX_QUEUE_MAX; i++) {
        snprintf(url, sizeof url, "https://h.org/calendar?date=%05d", i);
        CHECK_INT(bx_queue_push(&q, url, "Calendar", 1), 1);
    }
    CHECK_INT((int)q.n, BX_QUEUE_MAX);
    CHECK_INT(bx_queue_push(&q, "https://h.org/calendar?date=99999", "Calendar", 2), 0);
    CHECK_INT(bx_queue_push(&q, "https://h.org/news/late", "News", 2), 1);
    CHECK_INT(bx_queue_push(&q, "https://h.org/appointments", "Book an appointment", 2), 1);
    CHECK_INT((int)q.n, BX_QUEUE_MAX);
    pop_expect(&q, "https://h.org/");
    pop_expect(&q, "https://h.org/appointments");
    pop_expect(&q, "https://h.org/calendar?date=00001");
    pop_expect(&q, "https://h.org/calendar?date=00002");
    pop_expect(&q, "https://h.org/news/late");
    bx_queue_free(&q);

    /* a full queue of distinct pages (a big sitemap): a care page found late takes the place of
     * the URL taken last; a page that would come after all of them is dropped */
    bx_queue_init(&q);
    for (int i = 0; i < BX_QUEUE_MAX; i++) {
        snprintf(url, sizeof url, "https://h.org/people/p%05d", i);
        CHECK_INT(bx_queue_push(&q, url, NULL, 1), 1);
    }
    CHECK_INT(bx_queue_push(&q, "https://h.org/careers", "Careers", 2), 0);
    CHECK_INT(bx_queue_push(&q, "https://h.org/schedule", "Schedule a visit", 2), 1);
    CHECK_INT((int)q.n, BX_QUEUE_MAX);
    pop_expect(&q, "https://h.org/schedule");
    pop_expect(&q, "https://h.org/people/p00000");
    bx_queue_free(&q);
}

static void test_options(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_host_map m;
    CHECK_INT(pw_host_map_parse(&a, "connect.facebook.net=http://127.0.0.1:1/vendor/x/", &m, NULL),
              PW_OK);
    CHECK_STR(m.host, "connect.facebook.net");
    CHECK_STR(m.prefix, "http://127.0.0.1:1/vendor/x");
    CHECK_INT(pw_host_map_parse(&a, "nohost", &m, NULL), PW_ERR_INVALID);
    CHECK_INT(pw_host_map_parse(&a, "h=relative/path", &m, NULL), PW_ERR_INVALID);
    pw_consent_mode cm;
    CHECK(pw_consent_mode_parse("reject", &cm) == 0 && cm == PW_CONSENT_REJECT);
    CHECK(pw_consent_mode_parse("maybe", &cm) < 0);
    pw_device d;
    CHECK(pw_device_parse("mobile", &d) == 0 && d == PW_DEVICE_MOBILE);
    CHECK(pw_device_parse("tablet", &d) < 0);

    pw_browser_identity x, y;
    pw_browser_identity_make(&a, "0a1b2c", &x);
    pw_browser_identity_make(&a, "ffee99", &y);
    CHECK(strcmp(x.email, y.email) != 0);
    CHECK(strcmp(x.last_name, y.last_name) != 0);
    CHECK(strcmp(x.phone, y.phone) != 0);
    CHECK_INT(strlen(x.zip), 5);
    CHECK(strstr(x.reason, "diabetes") != NULL);
    CHECK(strchr(x.email, '@') != NULL);

    char path[] = "/tmp/pw_cookiesXXXXXX";
    int fd = mkstemp(path);
    const char *txt = "# Netscape HTTP Cookie File\n"
                      ".h.org\tTRUE\t/\tTRUE\t0\tsid\tabc123\n"
                      "#HttpOnly_h.org\tFALSE\t/portal\tTRUE\t0\ttok\tz\n"
                      "\n"
                      "plain=value=with=equals\n";
    CHECK(write(fd, txt, strlen(txt)) == (ssize_t)strlen(txt));
    close(fd);
    pw_cookie *c = NULL;
    size_t n = 0;
    CHECK_INT(pw_cookies_read_file(&a, path, &c, &n, NULL), PW_OK);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(c[0].name, "sid");
        CHECK_STR(c[0].domain, ".h.org");
        CHECK_STR(c[1].path, "/portal");
        CHECK_STR(c[2].name, "plain");
        CHECK_STR(c[2].value, "value=with=equals");
    }
    FILE *f = fopen(path, "w");
    fputs("secretvalue-without-name\n", f);
    fclose(f);
    pw_err e;
    CHECK_INT(pw_cookies_read_file(&a, path, &c, &n, &e), PW_ERR_PARSE);
    CHECK(strstr(e.msg, "line 1") != NULL);
    CHECK(strstr(e.msg, "secretvalue") == NULL); /* never echo a possible secret */
    unlink(path);
    pw_arena_free(&a);
}

static void test_har_writer(void)
{
    char path[] = "/tmp/pw_harXXXXXX";
    close(mkstemp(path));
    pw_har_writer *w;
    CHECK_INT(pw_har_writer_open(path, "0.1", &w, NULL), PW_OK);
    pw_page pg = {.url = "https://h.org/a", .title = "A \"page\"", .timestamp = 1700000000.5};
    pw_header h[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    pw_request r = {.method = "POST",
                    .url = "https://www.facebook.com/tr",
                    .headers = h,
                    .n_headers = 1,
                    .body = (const unsigned char *)"id=1&ev=Lead",
                    .body_len = 12,
                    .content_type = h[0].value,
                    .page_url = "https://h.org/a",
                    .resource_type = "ping",
                    .status = 204,
                    .step = PW_STEP_SUBMIT,
                    .source = PW_SOURCE_BROWSER};
    CHECK_INT(pw_har_writer_add_page(w, &pg, NULL), PW_OK);
    CHECK_INT(pw_har_writer_add_request(w, &r, NULL), PW_OK);
    CHECK_INT(pw_har_writer_add_request(w, &r, NULL), PW_OK);
    CHECK_INT(pw_har_writer_close(w, NULL), PW_OK);
    FILE *f = fopen(path, "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char ebuf[128];
    yajl_val root = yajl_tree_parse(buf, ebuf, sizeof ebuf);
    CHECK(root != NULL);
    const char *p_pages[] = {"log", "pages", NULL};
    const char *p_entries[] = {"log", "entries", NULL};
    yajl_val pages = yajl_tree_get(root, p_pages, yajl_t_array);
    yajl_val entries = yajl_tree_get(root, p_entries, yajl_t_array);
    CHECK(pages && pages->u.array.len == 1);
    CHECK(entries && entries->u.array.len == 2);
    if (entries && entries->u.array.len == 2) {
        yajl_val e0 = entries->u.array.values[0];
        CHECK_STR(cdp_str(e0, "pageref"), "page_1");
        CHECK_STR(cdp_str(e0, "request.postData.text"), "id=1&ev=Lead");
        CHECK_STR(cdp_str(e0, "_step"), "submit");
        double st = 0;
        CHECK(cdp_num(e0, "response.status", &st) && st == 204);
    }
    if (pages && pages->u.array.len == 1)
        CHECK_STR(cdp_str(pages->u.array.values[0], "title"), "A \"page\"");
    yajl_tree_free(root);
    unlink(path);
}

/* The file at path holds exactly `want`. */
static int file_is(const char *path, const char *want)
{
    char buf[64] = {0};
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(want) && memcmp(buf, want, n) == 0;
}

/* Files in dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Write a HAR of pg and r to path with the process's file-size limit at `limit` bytes from
 * close on: 1 when close fails with an i/o error that names path. */
static int har_close_limited(const char *path, const pw_page *pg, const pw_request *r, rlim_t limit)
{
    pw_har_writer *w = NULL;
    if (pw_har_writer_open(path, "0.1", &w, NULL) != PW_OK ||
        pw_har_writer_add_page(w, pg, NULL) != PW_OK ||
        pw_har_writer_add_request(w, r, NULL) != PW_OK) {
        pw_har_writer_abort(w);
        return 0;
    }
    struct rlimit old_lim, lim;
    getrlimit(RLIMIT_FSIZE, &old_lim);
    lim = old_lim;
    lim.rlim_cur = limit;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    pw_err err;
    pw_err_clear(&err);
    pw_status st = pw_har_writer_close(w, &err);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, old_sig);
    if (st != PW_ERR_IO && limit != RLIM_INFINITY)
        fprintf(stderr, "close with a %llu-byte limit: %s\n", (unsigned long long)limit,
                pw_strerror(st));
    return st == PW_ERR_IO && strstr(err.msg, path) != NULL;
}

/* --har-out replaces the last HAR whole or not at all: while the capture runs, after an abort,
 * and after a write that failed (the file-size limit hit at close), the old file is intact and
 * no temporary file is left; a close that succeeds replaces it. */
static void test_har_writer_atomic(void)
{
    char dir[] = "/tmp/pw_harXXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/last.har", dir);
    FILE *f = fopen(path, "w");
    fputs("OLD\n", f);
    fclose(f);
    pw_page pg = {.url = "https://h.org/a", .timestamp = 1700000000.5};
    char body[2048];
    memset(body, 'x', sizeof body);
    pw_request r = {.method = "POST",
                    .url = "https://www.facebook.com/tr",
                    .body = (const unsigned char *)body,
                    .body_len = sizeof body,
                    .page_url = "https://h.org/a",
                    .source = PW_SOURCE_BROWSER};
    pw_har_writer *w = NULL;
    CHECK_INT(pw_har_writer_open(path, "0.1", &w, NULL), PW_OK);
    CHECK_INT(pw_har_writer_add_page(w, &pg, NULL), PW_OK);
    CHECK_INT(pw_har_writer_add_request(w, &r, NULL), PW_OK);
    CHECK(file_is(path, "OLD\n")); /* not truncated while the capture runs */
    CHECK_INT(count_prefixed(dir, ".last.har.tmp-"), 1);
    pw_har_writer_abort(w);
    CHECK(file_is(path, "OLD\n"));
    CHECK_INT(count_prefixed(dir, ".last.har.tmp-"), 0);

    /* a write that fails at close, the file-size limit hit: by the entries still in the
     * temporary entries file's buffer (was: dropped, and a HAR without them put in place), or
     * by the HAR itself (the limit a little under its size, measured by a write that works) */
    CHECK(har_close_limited(path, &pg, &r, 1024));
    CHECK(file_is(path, "OLD\n"));
    CHECK_INT(count_prefixed(dir, ".last.har.tmp-"), 0);
    CHECK(har_close_limited(path, &pg, &r, RLIM_INFINITY) == 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    f = fopen(path, "w");
    fputs("OLD\n", f);
    fclose(f);
    CHECK(har_close_limited(path, &pg, &r, (rlim_t)st.st_size - 4));
    CHECK(file_is(path, "OLD\n"));
    CHECK_INT(count_prefixed(dir, ".last.har.tmp-"), 0);

    /* a close that succeeds replaces it */
    CHECK_INT(pw_har_writer_open(path, "0.1", &w, NULL), PW_OK);
    CHECK_INT(pw_har_writer_add_page(w, &pg, NULL), PW_OK);
    CHECK_INT(pw_har_writer_close(w, NULL), PW_OK);
    CHECK(!file_is(path, "OLD\n"));
    CHECK_INT(count_prefixed(dir, ".last.har.tmp-"), 0);
    unlink(path);
    CHECK_INT(rmdir(dir), 0);
}

typedef struct collected {
    int pages;
    char urls[16][512];
    char what[16][128];
    int n;
    const char *title;
} collected;

static pw_status col_page(void *ctx, const pw_page *p, pw_err *err)
{
    collected *c = ctx;
    c->pages++;
    c->title = p->title ? "set" : NULL;
    return PW_OK;
}

static pw_status col_req(void *ctx, const pw_request *r, pw_err *err)
{
    collected *c = ctx;
    if (c->n < 16) {
        snprintf(c->urls[c->n], sizeof c->urls[0], "%s", r->url);
        snprintf(c->what[c->n], sizeof c->what[0], "%s",
                 pw_request_header(r, "X-Phiwall-Inferred"));
        c->n++;
    }
    CHECK_INT(r->source, PW_SOURCE_STATIC);
    return PW_OK;
}

static int has_url(const collected *c, const char *needle)
{
    for (int i = 0; i < c->n; i++)
        if (strstr(c->urls[i], needle))
            return 1;
    return 0;
}

static void test_static_extract(void)
{
    static const char html[] =
        "<html><head><title>Cardiology</title>"
        "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script>"
        "<script>fbq('init', '1234567890', {em: 'pat@example.org', fn: user.first});"
        "fbq('track', 'PageView');</script>"
        "<script>(function(w,d,s,l,i){})(window,document,'script','dataLayer','GTM-ABC123');"
        "gtag('config', 'G-XYZ987');</script></head><body>"
        "<noscript><img height=\"1\" width=\"1\" src=\"https://www.facebook.com/tr?id=1234567890"
        "&amp;ev=PageView&amp;noscript=1\"/></noscript>"
        "<iframe src=\"/embed/map\"></iframe><a href=\"/schedule\">Book</a></body></html>";
    collected c = {0};
    pw_capture_sink sink = {col_page, col_req, &c, NULL};
    CHECK_INT(
        pw_static_extract("https://h.org/heart", html, sizeof html - 1, &sink, NULL, NULL, NULL),
        PW_OK);
    CHECK_INT(c.pages, 1);
    CHECK(c.title != NULL);
    CHECK(has_url(&c, "connect.facebook.net/en_US/fbevents.js"));
    CHECK(has_url(&c, "ud%5Bem%5D=pat%40example.org"));
    CHECK(has_url(&c, "ud%5Bfn%5D=(dynamic)"));
    CHECK(has_url(&c, "gtm.js?id=GTM-ABC123"));
    CHECK(has_url(&c, "tid=G-XYZ987"));
    CHECK(has_url(&c, "tr?id=1234567890&ev=PageView&noscript=1"));
    CHECK(has_url(&c, "https://h.org/embed/map"));
    int auto_on = 0;
    for (int i = 0; i < c.n; i++)
        auto_on |= strstr(c.what[i], "autoConfig=on") != NULL;
    CHECK(auto_on);

    static const char off[] = "<script>fbq('set','autoConfig',false,'42');fbq('init','42');"
                              "</script>";
    collected d = {0};
    pw_capture_sink s2 = {col_page, col_req, &d, NULL};
    CHECK_INT(pw_static_extract("https://h.org/", off, sizeof off - 1, &s2, NULL, NULL, NULL),
              PW_OK);
    CHECK_INT(d.n, 1);
    CHECK(strstr(d.what[0], "autoConfig=false") != NULL);
    /* Hostile input: deep nesting and garbage must not crash. */
    size_t big = 3000;
    char *deep = malloc(big * 5 + 1);
    for (size_t i = 0; i < big; i++)
        memcpy(deep + i * 5, "<div>", 5);
    deep[big * 5] = '\0';
    collected z = {0};
    pw_capture_sink s3 = {col_page, col_req, &z, NULL};
    CHECK_INT(pw_static_extract("https://h.org/", deep, big * 5, &s3, NULL, NULL, NULL), PW_OK);
    free(deep);
}

PW_TEST_MAIN(PW_TEST(test_msg_parse), PW_TEST(test_conn_over_pipes), PW_TEST(test_queue_order),
             PW_TEST(test_care_words), PW_TEST(test_queue_session_ids), PW_TEST(test_tag_managers),
             PW_TEST(test_queue_path_traps), PW_TEST(test_queue_start_and_variants),
             PW_TEST(test_queue_late_distinct), PW_TEST(test_queue_full_keeps_distinct),
             PW_TEST(test_options), PW_TEST(test_har_writer), PW_TEST(test_har_writer_atomic),
             PW_TEST(test_static_extract))
