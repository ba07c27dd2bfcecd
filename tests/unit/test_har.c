/* test_har.c — the streaming HAR reader: browser variants, page attribution, bodies, limits and
 * the exact error messages on malformed input. */
#include <stdlib.h>
#include <string.h>

#include "capture/har_internal.h"
#include "phiwall/har.h"
#include "pw_test.h"

typedef struct got {
    int n_pages, n_reqs;
    char page_url[8][256], page_title[8][128];
    int page_facts[8]; /* has_login_form | after_login << 1 | has_session_cookie << 2 */
    char url[16][256], page_of[16][256], method[16][8], rtype[16][16], init[16][128];
    char frame[16][256];
    char body[16][256];
    size_t body_len[16];
    int status[16], n_headers[16];
    double ts[16];
} got;

static pw_status on_page(void *ctx, const pw_page *p, pw_err *err)
{
    got *g = ctx;
    if (g->n_pages < 8) {
        snprintf(g->page_url[g->n_pages], 256, "%s", p->url);
        snprintf(g->page_title[g->n_pages], 128, "%s", p->title ? p->title : "-");
        g->page_facts[g->n_pages] =
            p->has_login_form | p->after_login << 1 | p->has_session_cookie << 2;
    }
    g->n_pages++;
    return PW_OK;
}

static pw_status on_request(void *ctx, const pw_request *r, pw_err *err)
{
    got *g = ctx;
    int i = g->n_reqs++;
    if (i >= 16)
        return PW_OK;
    snprintf(g->url[i], 256, "%s", r->url);
    snprintf(g->page_of[i], 256, "%s", r->page_url ? r->page_url : "-");
    snprintf(g->frame[i], 256, "%s", r->frame_url ? r->frame_url : "-");
    snprintf(g->method[i], 8, "%s", r->method);
    snprintf(g->rtype[i], 16, "%s", r->resource_type ? r->resource_type : "-");
    snprintf(g->init[i], 128, "%s", r->initiator ? r->initiator : "-");
    size_t n = r->body_len < 255 ? r->body_len : 255;
    if (r->body)
        memcpy(g->body[i], r->body, n);
    g->body[i][n] = '\0';
    g->body_len[i] = r->body_len;
    g->status[i] = r->status;
    g->n_headers[i] = (int)r->n_headers;
    g->ts[i] = r->timestamp;
    return PW_OK;
}

static pw_status read_str(const char *json, got *g, const pw_har_opts *o, pw_har_stats *st,
                          pw_err *err)
{
    memset(g, 0, sizeof *g);
    FILE *f = fmemopen((void *)json, strlen(json), "r");
    pw_capture_sink sink = {on_page, on_request, g, NULL};
    pw_status s = pw_har_read_ex(f, "t.har", &sink, o, st, err);
    fclose(f);
    return s;
}

static void chrome_export(void)
{
    const char *j =
        "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\"},"
        "\"pages\":[{\"startedDateTime\":\"2024-05-01T12:00:00.500Z\",\"id\":\"page_1\","
        "\"title\":\"https://h.org/appointments\",\"pageTimings\":{}}],"
        "\"entries\":[{\"_initiator\":{\"type\":\"other\"},\"_resourceType\":\"document\","
        "\"pageref\":\"page_1\",\"startedDateTime\":\"2024-05-01T12:00:01.000Z\","
        "\"request\":{\"method\":\"GET\",\"url\":\"https://h.org/appointments\","
        "\"headers\":[{\"name\":\"Cookie\",\"value\":\"a=1\"}],\"queryString\":[]},"
        "\"response\":{\"status\":200,\"content\":{\"size\":5,\"mimeType\":\"text/html\","
        "\"text\":\"<html>\"}}},"
        "{\"_initiator\":{\"type\":\"script\",\"stack\":{\"callFrames\":[{\"url\":"
        "\"https://connect.facebook.net/en_US/fbevents.js\",\"lineNumber\":1}]}},"
        "\"_resourceType\":\"ping\",\"pageref\":\"page_1\",\"startedDateTime\":"
        "\"2024-05-01T14:00:02.000+02:00\",\"request\":{\"method\":\"POST\",\"url\":"
        "\"https://www.facebook.com/tr/\",\"headers\":[],\"postData\":{\"mimeType\":"
        "\"application/x-www-form-urlencoded\",\"text\":\"id=1&ev=PageView\"}},"
        "\"response\":{\"status\":204}},"
        "{\"pageref\":\"page_1\",\"request\":{\"method\":\"POST\",\"url\":\"https://x.com/b\","
        "\"postData\":{\"mimeType\":\"text/plain\",\"encoding\":\"base64\",\"text\":"
        "\"aGVsbG8Ad29ybGQ=\"}},\"response\":{\"status\":\"200\"}}]}}";
    got g;
    pw_err err;
    pw_har_stats st;
    CHECK_INT(read_str(j, &g, NULL, &st, &err), PW_OK);
    CHECK_INT(g.n_pages, 1);
    CHECK_STR(g.page_url[0], "https://h.org/appointments");
    CHECK_STR(g.page_title[0], "-");
    CHECK_INT(g.n_reqs, 3);
    CHECK_STR(g.rtype[0], "document");
    CHECK_INT(g.n_headers[0], 1);
    CHECK_STR(g.method[1], "POST");
    CHECK_STR(g.page_of[1], "https://h.org/appointments");
    CHECK_STR(g.init[1], "https://connect.facebook.net/en_US/fbevents.js");
    CHECK_STR(g.init[0], "other");
    CHECK_STR(g.body[1], "id=1&ev=PageView");
    CHECK_INT(g.status[1], 204);
    CHECK_INT(g.status[2], 200);
    CHECK(g.ts[1] == 1714564802.0); /* 14:00:02+02:00 == 12:00:02Z */
    CHECK_INT(g.body_len[2], 11);   /* base64 "hello\0world" keeps its NUL */
    CHECK(memcmp(g.body[2], "hello\0world", 11) == 0);
    CHECK_INT(st.n_entries, 3);
    CHECK_INT(st.n_pages, 1);
    CHECK_INT(st.bytes, strlen(j));
}

static void firefox_export(void)
{
    /* entries before pages, document title as page title, form params without text */
    const char *j =
        "{\"log\":{\"entries\":[{\"pageref\":\"page_7\",\"startedDateTime\":\"2024-05-01T12:00:"
        "00Z\","
        "\"request\":{\"method\":\"GET\",\"url\":\"https://h.org/find-a-doctor\",\"headers\":[]},"
        "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html; charset=utf-8\"}}},"
        "{\"pageref\":\"page_7\",\"request\":{\"method\":\"POST\",\"url\":\"https://h.org/s\","
        "\"headers\":[],\"postData\":{\"mimeType\":\"application/x-www-form-urlencoded\","
        "\"params\":[{\"name\":\"q\",\"value\":\"knee pain\"},{\"name\":\"z\",\"value\":\"a&b\"}]}}"
        ",\"response\":{\"status\":302}}],"
        "\"pages\":[{\"id\":\"page_7\",\"title\":\"Find a Doctor | "
        "H\",\"startedDateTime\":null}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 1);
    CHECK_STR(g.page_url[0], "https://h.org/find-a-doctor");
    CHECK_STR(g.page_of[1], "https://h.org/find-a-doctor");
    CHECK_STR(g.body[1], "q=knee%20pain&z=a%26b");
}

static void no_pages(void)
{
    const char *j = "{\"log\":{\"entries\":["
                    "{\"request\":{\"method\":\"GET\",\"url\":\"https://a.org/"
                    "\"},\"_resourceType\":\"document\"},"
                    "{\"request\":{\"method\":\"GET\",\"url\":\"https://t.com/"
                    "p\"},\"_resourceType\":\"image\"},"
                    "{\"request\":{\"method\":\"GET\",\"url\":\"https://a.org/conditions/asthma\"},"
                    "\"_resourceType\":\"document\"},"
                    "{\"request\":{\"method\":\"GET\",\"url\":\"https://t.com/"
                    "q\"},\"_resourceType\":\"image\"}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(g.page_of[1], "https://a.org/");
    CHECK_STR(g.page_of[3], "https://a.org/conditions/asthma");
}

/* One pageref, several navigations (puppeteer-har, as in Blacklight's HARs): each top-level
 * document that is not a redirect starts a page; iframes and redirect hops do not. */
static void navigations_in_one_page(void)
{
    const char *j =
        "{\"log\":{\"pages\":[{\"id\":\"p\",\"title\":\"http://a.org/\"}],\"entries\":["
        "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":\"http://a.org/\"},"
        "\"response\":{\"status\":301,\"content\":{\"mimeType\":\"text/html\"}}},"
        "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":\"https://a.org/"
        "home\","
        "\"headers\":[{\"name\":\"Sec-Fetch-Dest\",\"value\":\"document\"}]},"
        "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html\"}}},"
        "{\"pageref\":\"p\",\"_initiator_type\":\"script\",\"request\":{\"url\":\"https://ads.com/"
        "f\","
        "\"headers\":[{\"name\":\"Sec-Fetch-Dest\",\"value\":\"iframe\"}]},"
        "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html\"}}},"
        "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":"
        "\"https://a.org/conditions/asthma\"},\"response\":{\"status\":200,\"content\":"
        "{\"mimeType\":\"text/html\"}}},"
        "{\"pageref\":\"p\",\"request\":{\"url\":\"https://t.com/px\"}}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 3);
    CHECK_STR(g.page_url[1], "https://a.org/home");
    CHECK_STR(g.page_url[2], "https://a.org/conditions/asthma");
    CHECK_STR(g.page_of[2], "https://a.org/home"); /* the iframe stays on its page */
    CHECK_STR(g.page_of[4], "https://a.org/conditions/asthma");
}

/* A vendor's document without Sec-Fetch-Dest under one pageref (a cookie-sync iframe in
 * Blacklight's March of Dimes HAR, initiator "other", empty Referer) is no page of the site: it
 * stays with the page that embedded it, and so do its requests. */
static const char *const vendor_nav_har =
    "{\"log\":{\"pages\":[{\"id\":\"p\",\"title\":\"https://www.a.org/\"}],\"entries\":["
    "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":\"https://www.a.org/\"},"
    "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html\"}}},"
    "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":"
    "\"https://gum.criteo.com/sync?c=6\",\"headers\":[{\"name\":\"Referer\",\"value\":\"\"}]},"
    "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html\"}}},"
    "{\"pageref\":\"p\",\"request\":{\"url\":\"https://cm.g.doubleclick.net/pixel\"}},"
    "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":"
    "\"https://donate.a.org/give\"},\"response\":{\"status\":200,\"content\":"
    "{\"mimeType\":\"text/html\"}}},"
    "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":"
    "\"https://www.facebook.com/tr/\",\"method\":\"POST\"},\"response\":{\"status\":200,"
    "\"content\":{\"mimeType\":\"text/html\"}}},"
    /* the browser says top level: a redirect to another site is a page of its own */
    "{\"pageref\":\"p\",\"_initiator_type\":\"other\",\"request\":{\"url\":"
    "\"https://www.b.org/gulf-coast\",\"headers\":[{\"name\":\"Sec-Fetch-Dest\",\"value\":"
    "\"document\"}]},\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/html\"}}}]}}";

static char *site_hook(void *ctx, pw_arena *a, const char *host)
{
    int *calls = ctx;
    (*calls)++;
    return pw_arena_strdup(a, strstr(host, "donate.") ? "elsewhere"
                                                      : host + (strncmp(host, "www.", 4) ? 0 : 4));
}

static void vendor_documents_stay_on_page(void)
{
    got g;
    pw_err err;
    CHECK_INT(read_str(vendor_nav_har, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 3); /* www.a.org/, the same-site donate.a.org/give, www.b.org */
    CHECK_STR(g.page_url[0], "https://www.a.org/");
    CHECK_STR(g.page_url[1], "https://donate.a.org/give");
    CHECK_STR(g.page_url[2], "https://www.b.org/gulf-coast");
    CHECK_STR(g.page_of[5], "https://www.b.org/gulf-coast");
    CHECK_STR(g.page_of[1], "https://www.a.org/");
    CHECK_STR(g.page_of[2], "https://www.a.org/");
    CHECK_STR(g.page_of[4], "https://donate.a.org/give");
    /* the site_of hook decides what a site is: here donate.a.org is another one */
    int calls = 0;
    pw_har_opts o = {.site_of = site_hook, .site_ctx = &calls};
    CHECK_INT(read_str(vendor_nav_har, &g, &o, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(g.page_of[3], "https://www.a.org/");
    CHECK(calls > 0);
}

/* Without pages: a vendor's document does not start a page either; a site's own does, and the
 * guess without a hook knows two-level country suffixes. */
static void vendor_documents_no_pages(void)
{
    const char *j =
        "{\"log\":{\"entries\":["
        "{\"request\":{\"url\":\"https://www.nhs.co.uk/\"},\"_resourceType\":\"document\"},"
        "{\"request\":{\"url\":\"https://t.co.uk/sync\"},\"_resourceType\":\"document\"},"
        "{\"request\":{\"url\":\"https://t.co.uk/p\"},\"_resourceType\":\"image\"},"
        "{\"request\":{\"url\":\"https://care.nhs.co.uk/book\"},"
        "\"_resourceType\":\"document\"},"
        "{\"request\":{\"url\":\"https://www.b.org/\",\"headers\":[{\"name\":"
        "\"sec-fetch-dest\",\"value\":\"document\"}]},\"_resourceType\":\"document\"}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 3);
    CHECK_STR(g.page_of[4], "https://www.b.org/");
    CHECK_STR(g.page_of[1], "https://www.nhs.co.uk/");
    CHECK_STR(g.page_of[2], "https://www.nhs.co.uk/");
    CHECK_STR(g.page_of[3], "https://care.nhs.co.uk/book");
}

/* A page whose title is no URL and whose recording starts after its document: the first
 * entry's Referer names the page, not the tracker endpoint the entry went to (which made the
 * tracker the site: "Pages on www.facebook.com", its beacons first-party). */
static void page_from_referer(void)
{
    const char *j =
        "{\"log\":{\"pages\":[{\"id\":\"p1\",\"title\":\"Results\"},"
        "{\"id\":\"p2\",\"title\":\"Other\"}],\"entries\":["
        "{\"pageref\":\"p1\",\"request\":{\"url\":\"https://www.facebook.com/tr/?id=1\","
        "\"headers\":[{\"name\":\"Referer\",\"value\":\"https://h.org/portal/results\"}]}},"
        "{\"pageref\":\"p2\",\"request\":{\"url\":\"https://t.example/p\","
        "\"headers\":[{\"name\":\"Referer\",\"value\":\"android-app://x\"}]}}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_STR(g.page_of[0], "https://h.org/portal/results");
    CHECK_STR(g.page_title[0], "Results");
    CHECK_STR(g.page_of[1], "https://t.example/p"); /* no web page named: the entry itself */
}

/* An entry without pageref in a HAR with pages (a preflight, a worker's fetch) belongs to the
 * page of the entry before it; it used to make an "(unknown page)": 1 page read as 2. */
static void entry_without_pageref(void)
{
    const char *j = "{\"log\":{\"pages\":[{\"id\":\"p1\",\"title\":\"https://h.org/book\"}],"
                    "\"entries\":[{\"pageref\":\"p1\",\"request\":{\"url\":\"https://h.org/book\"},"
                    "\"_resourceType\":\"document\"},"
                    "{\"request\":{\"url\":\"https://www.facebook.com/tr/?id=1\"},"
                    "\"_resourceType\":\"ping\"}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 1);
    CHECK_STR(g.page_of[1], "https://h.org/book");
}

/* phiwall's --har-out states each page's URL (`_url`) and each request's frame: the pageref is
 * exact, even for a same-site document with initiator "other" (a same-site iframe). */
static void phiwall_pages_are_exact(void)
{
    const char *j =
        "{\"log\":{\"creator\":{\"name\":\"phiwall\"},\"pages\":[{\"id\":\"page_1\","
        "\"title\":\"Book | H\",\"_url\":\"https://h.org/book\"}],\"entries\":["
        "{\"pageref\":\"page_1\",\"_initiator\":{\"type\":\"other\"},\"_resourceType\":"
        "\"document\",\"_frameUrl\":\"https://h.org/book\",\"request\":{\"url\":\"https://h.org/"
        "book\"},"
        "\"response\":{\"status\":200}},"
        "{\"pageref\":\"page_1\",\"_initiator\":{\"type\":\"other\"},\"_resourceType\":"
        "\"document\",\"_frameUrl\":\"https://h.org/widget\",\"request\":{\"url\":"
        "\"https://h.org/widget\"},\"response\":{\"status\":200}},"
        "{\"pageref\":\"page_1\",\"_frameUrl\":\"https://h.org/widget\",\"request\":{\"url\":"
        "\"https://t.com/px\"}}]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 1);
    CHECK_STR(g.page_url[0], "https://h.org/book");
    CHECK_STR(g.page_title[0], "Book | H");
    CHECK_STR(g.page_of[1], "https://h.org/book");
    CHECK_STR(g.page_of[2], "https://h.org/book");
    CHECK_STR(g.frame[2], "https://h.org/widget");
    CHECK_STR(g.frame[0], "https://h.org/book");
    CHECK_INT(g.page_facts[0], 0);
}

/* Page facts phiwall's browser scan knew (login form, after login, session cookie) come back. */
static void phiwall_page_facts(void)
{
    const char *j =
        "{\"log\":{\"pages\":[{\"id\":\"page_1\",\"title\":\"Sign in\",\"_url\":"
        "\"https://h.org/login\",\"_hasLoginForm\":true,\"_afterLogin\":false,"
        "\"_hasSessionCookie\":false},{\"id\":\"page_2\",\"title\":\"https://h.org/portal/\","
        "\"_url\":\"https://h.org/portal/\",\"_hasLoginForm\":false,\"_afterLogin\":true,"
        "\"_hasSessionCookie\":true}],\"entries\":[]}}";
    got g;
    pw_err err;
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_OK);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(g.page_url[0], "https://h.org/login");
    CHECK_INT(g.page_facts[0], 1);
    CHECK_STR(g.page_url[1], "https://h.org/portal/");
    CHECK_STR(g.page_title[1], "-");
    CHECK_INT(g.page_facts[1], 6);
}

static void expect_error(const char *json, pw_status code, const char *msg)
{
    got g;
    pw_err err;
    pw_err_clear(&err);
    CHECK_INT(read_str(json, &g, NULL, NULL, &err), code);
    CHECK_STR(err.msg, msg);
}

static void malformed(void)
{
    expect_error("{\"log\":{\"entries\":[{\"request\":{\"url\":\"https://a.org/\"", PW_ERR_PARSE,
                 "t.har: byte 53: expected more JSON: the file ends inside "
                 "log.entries[0].request");
    expect_error("[1,2]", PW_ERR_PARSE,
                 "t.har: byte 1: expected an object (HAR 1.2) at the top level");
    expect_error("{\"log\":{\"entries\":{}}}", PW_ERR_PARSE,
                 "t.har: byte 19: expected an array for log.entries");
    expect_error("{\"log\":{\"entries\":[{\"request\":{\"url\":7}}]}}", PW_ERR_PARSE,
                 "t.har: byte 38: expected a string for log.entries[0].request.url");
    expect_error("{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\"}}]}}", PW_ERR_PARSE,
                 "t.har: byte 47: expected \"url\" in log.entries[0].request");
    expect_error("{\"log\":{\"entries\":[3]}}", PW_ERR_PARSE,
                 "t.har: byte 20: expected an object for log.entries[0]");
    expect_error("{\"log\":{\"entries\":[{\"request\":{\"url\":\"u\",\"headers\":[{\"value\":"
                 "\"v\"}]}}]}}",
                 PW_ERR_PARSE,
                 "t.har: byte 65: expected \"name\" in log.entries[0].request.headers[0]");
    expect_error("\x89PNG\r\n\x1a\n\x00\x00", PW_ERR_PARSE,
                 "t.har: byte 1: expected JSON: invalid char in json text.");
    expect_error("{\"log\":{\"entries\":[]}} x", PW_ERR_PARSE,
                 "t.har: byte 24: expected JSON: trailing garbage");
    expect_error("{\"log\":{}}", PW_ERR_PARSE,
                 "t.har: byte 9: expected log.entries (an array), found none");
    expect_error("{\"log\":{\"version\":\"1.2\",\"pages\":[],\"entries\":null}}", PW_ERR_PARSE,
                 "t.har: byte 50: expected log.entries (an array), found none");
    expect_error("{\"other\":1}", PW_ERR_PARSE,
                 "t.har: byte 11: expected a \"log\" object (HAR 1.2), found none");
    expect_error("", PW_ERR_PARSE, "t.har: the file is empty (0 bytes): no HAR in it");
    expect_error("  \n", PW_ERR_PARSE,
                 "t.har: byte 3: expected more JSON: the file ends inside a value");
}

static void truncates_long_strings(void)
{
    /* a body of 5000 bytes, an escape and a UTF-8 character straddling the cut at 100 */
    size_t n = 5000;
    char *body = malloc(n + 1);
    memset(body, 'a', n);
    body[n] = '\0';
    memcpy(body + 98, "\\u00e9", 6);
    memcpy(body + 200, "\xc3\xa9", 2);
    char *j = malloc(2 * n + 400);
    sprintf(j,
            "{\"log\":{\"entries\":[{\"request\":{\"method\":\"POST\",\"url\":\"https://x.com/\","
            "\"postData\":{\"text\":\"%s\"}},\"response\":{\"content\":{\"text\":\"%s\"}}}]}}",
            body, body);
    got g;
    pw_err err;
    pw_har_stats st;
    pw_har_opts o = {.max_string = 100};
    CHECK_INT(read_str(j, &g, &o, &st, &err), PW_OK);
    CHECK_INT(g.n_reqs, 1);
    CHECK_INT(g.body_len[0], 100); /* 98 "a" + the whole escape, decoded to é (2 bytes) */
    CHECK_INT(st.n_truncated, 2);
    CHECK_INT(st.first_truncation, 89);
    free(body);
    free(j);
}

/* The limiter alone across chunk boundaries: the output must be the same JSON, cut. */
typedef struct collect {
    char out[4096];
    size_t n;
} collect;

static int collect_feed(void *ctx, const unsigned char *p, size_t n, size_t off, int closes)
{
    collect *c = ctx;
    memcpy(c->out + c->n, p, n);
    c->n += n;
    return 1;
}

static void limiter_chunks(void)
{
    const char *in = "{\"k\":\"0123456789\\\"abc\",\"x\":\"\\\\\\\\\\\\\\\\zz\",\"y\":\"ab\"}";
    for (size_t chunk = 1; chunk <= 7; chunk++) {
        har_limiter l;
        har_limiter_init(&l, 4);
        collect c = {.n = 0};
        size_t len = strlen(in);
        for (size_t i = 0; i < len; i += chunk)
            har_limiter_push(&l, (const unsigned char *)in + i, len - i < chunk ? len - i : chunk,
                             collect_feed, &c);
        c.out[c.n] = '\0';
        CHECK_STR(c.out, "{\"k\":\"0123\",\"x\":\"\\\\\\\\\",\"y\":\"ab\"}");
        CHECK_INT(l.n_truncated, 2);
    }
}

/* Skipping unread values: "_x" is never read, "h" is read in some objects (the test says where
 * with room), everything else is read. */
static size_t test_room;
static int test_key_class(void *ctx, const unsigned char *k, size_t n)
{
    (void)ctx;
    if (n == 2 && memcmp(k, "_x", 2) == 0)
        return HAR_KEY_UNREAD;
    return n == 1 && k[0] == 'h' ? HAR_KEY_ASK : HAR_KEY_READ;
}
static size_t test_value_room(void *ctx)
{
    (void)ctx;
    return test_room;
}
static const har_skip_hooks test_hooks = {test_key_class, test_value_room};

static const char *skip_once(const char *in, size_t room, collect *c)
{
    har_limiter l;
    har_limiter_init(&l, 1000);
    l.skip = &test_hooks;
    test_room = room;
    c->n = 0;
    CHECK(har_limiter_push(&l, (const unsigned char *)in, strlen(in), collect_feed, c));
    c->out[c->n] = '\0';
    CHECK_INT(l.n_truncated, 0);
    return c->out;
}

static void limiter_skips_unread(void)
{
    collect c;
    const char *x64 = "0123456789012345678901234567890123456789012345678901234567890123";
    char in[1024], want[1024];
    /* a long unread string, with every escape yajl takes: only its quotes reach the parser */
    snprintf(in, sizeof in, "{\"_x\" : \"%s\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\",\"a\":\"%s\"}", x64,
             x64);
    snprintf(want, sizeof want, "{\"_x\" : \"\",\"a\":\"%s\"}", x64);
    CHECK_STR(skip_once(in, 5, &c), want);
    /* a short one is cheaper to parse than to skip */
    CHECK_STR(skip_once("{\"_x\":\"abc\"}", 5, &c), "{\"_x\":\"abc\"}");
    /* containers, when the reader says there is room for their nesting */
    const char *obj = "{\"h\":{\"a\":[1,-2.5e+3,true,false,null,{\"b\":\"c\"}],\"d\":{}},\"z\":1}";
    CHECK_STR(skip_once(obj, 3, &c), "{\"h\":{},\"z\":1}");
    CHECK_STR(skip_once(obj, 2, &c), obj); /* 3 levels: the reader would refuse it */
    CHECK_STR(skip_once(obj, 0, &c), obj); /* the reader reads it */
    CHECK_STR(skip_once("{\"_x\":[[]],\"y\":[[]]}", 9, &c), "{\"_x\":[],\"y\":[[]]}");
    /* anything yajl would refuse, or might, goes to it whole: it names the error */
    const char *refused[] = {
        "{\"_x\":[01]}",       "{\"_x\":[1.]}",      "{\"_x\":[-]}",
        "{\"_x\":[1e]}",       "{\"_x\":[tru]}",     "{\"_x\":[truex]}",
        "{\"_x\":[1,]}",       "{\"_x\":{\"a\"}}",   "{\"_x\":{\"a\":}}",
        "{\"_x\":{1:2}}",      "{\"_x\":[\"\\q\"]}", "{\"_x\":[\"\\u12g4\"]}",
        "{\"_x\":[\"\x01\"]}", "{\"_x\":[1\f]}",     "{\"_x\":[1}",
        "{\"_x\":[[1]",        "{\"_x\":[/*c*/]}",   "{\"_x\":{\"a\":1,}}",
        "{\"_x\":[1 2]}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK_STR(skip_once(refused[i], 9, &c), refused[i]);
    snprintf(in, sizeof in, "{\"_x\":\"%s\\q\"}", x64);
    CHECK_STR(skip_once(in, 9, &c), in);
    snprintf(in, sizeof in, "{\"_x\":\"%s\x1f\"}", x64);
    CHECK_STR(skip_once(in, 9, &c), in);
    /* a value that does not end in the chunk, and a key with an escape, are parsed */
    snprintf(in, sizeof in, "{\"_x\":\"%s", x64);
    CHECK_STR(skip_once(in, 9, &c), in);
    snprintf(in, sizeof in, "{\"_\\u0078\":\"%s\"}", x64);
    CHECK_STR(skip_once(in, 9, &c), in);
}

/* Errors inside values the reader skips are those yajl gives (the same as before skipping). */
static void skipped_values_keep_errors(void)
{
    const char *x = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    char j[4096];
    snprintf(j, sizeof j,
             "{\"log\":{\"entries\":[{\"_initiator_detail\":\"%s\\q\",\"request\":{\"url\":\"u\"}}"
             "]}}",
             x);
    expect_error(j, PW_ERR_PARSE,
                 "t.har: byte 112: expected JSON: inside a string, '\\' occurs before a character "
                 "which it may not.");
    snprintf(j, sizeof j,
             "{\"log\":{\"entries\":[{\"_initiator_detail\":\"%s\x01\",\"request\":{\"url\":\"u\"}}"
             "]}}",
             x);
    expect_error(j, PW_ERR_PARSE,
                 "t.har: byte 111: expected JSON: invalid character inside string.");
    expect_error("{\"log\":{\"entries\":[{\"timings\":{\"a\":01},\"request\":{\"url\":\"u\"}}]}}",
                 PW_ERR_PARSE,
                 "t.har: byte 36: expected JSON: after key and value, inside map, I expect ',' or "
                 "'}'");
    expect_error("{\"log\":{\"entries\":[{\"request\":{\"url\":\"u\"},\"response\":{\"headers\":[{"
                 "\"name\":\"a\",\"value\":\"b\"},]}}]}}",
                 PW_ERR_PARSE,
                 "t.har: byte 91: expected JSON: unallowed token at this point in JSON text");
    /* an unread value nested past the reader's limit of 1024 levels still meets it */
    size_t n = 0;
    n += (size_t)sprintf(j + n, "{\"log\":{\"entries\":[{\"cookies\":");
    for (int i = 0; i < 1000; i++)
        j[n++] = '[';
    n += (size_t)sprintf(j + n, "{\"_x\":");
    for (int i = 0; i < 30; i++)
        j[n++] = '[';
    for (int i = 0; i < 30; i++)
        j[n++] = ']';
    j[n++] = '}';
    for (int i = 0; i < 1000; i++)
        j[n++] = ']';
    sprintf(j + n, ",\"request\":{\"url\":\"u\"}}]}}");
    got g;
    pw_err err;
    pw_err_clear(&err);
    CHECK_INT(read_str(j, &g, NULL, NULL, &err), PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "t.har: byte 1056: expected at most 1024 levels of nesting") == err.msg);
}

/* Recorder extensions: "_step" and "_consent" on entries. */
typedef struct flags {
    pw_step step;
    int before, reject;
} flags;

static pw_status on_flags(void *ctx, const pw_request *r, pw_err *err)
{
    flags *f = ctx;
    f->step = r->step;
    f->before = r->before_consent;
    f->reject = r->after_reject;
    return PW_OK;
}

static void recorder_fields(void)
{
    const char *j = "{\"log\":{\"entries\":[{\"_step\":\"click\",\"_consent\":\"none\","
                    "\"request\":{\"url\":\"https://t.com/\"}}]}}";
    FILE *f = fmemopen((void *)j, strlen(j), "r");
    flags fl = {0};
    pw_capture_sink sink = {NULL, on_flags, &fl, NULL};
    CHECK_INT(pw_har_read(f, "t.har", &sink, NULL), PW_OK);
    fclose(f);
    CHECK_INT(fl.step, PW_STEP_CLICK);
    CHECK_INT(fl.before, 1);
    CHECK_INT(fl.reject, 0);
}

/* phiwall's own --har-out writes the consent state as two booleans per entry. */
static flags read_flags(const char *j)
{
    FILE *f = fmemopen((void *)j, strlen(j), "r");
    flags fl = {0};
    pw_capture_sink sink = {NULL, on_flags, &fl, NULL};
    CHECK_INT(pw_har_read(f, "t.har", &sink, NULL), PW_OK);
    fclose(f);
    return fl;
}

static void phiwall_consent_flags(void)
{
    flags fl = read_flags("{\"log\":{\"entries\":[{\"_step\":\"submit\",\"_beforeConsent\":true,"
                          "\"_afterReject\":false,\"request\":{\"url\":\"https://t.com/\"}}]}}");
    CHECK_INT(fl.step, PW_STEP_SUBMIT);
    CHECK_INT(fl.before, 1);
    CHECK_INT(fl.reject, 0);
    fl = read_flags("{\"log\":{\"entries\":[{\"_beforeConsent\":false,\"_afterReject\":true,"
                    "\"request\":{\"url\":\"https://t.com/\"}}]}}");
    CHECK_INT(fl.before, 0);
    CHECK_INT(fl.reject, 1);
    /* a boolean where another field expects a string is skipped, not an error */
    fl = read_flags("{\"log\":{\"entries\":[{\"_step\":true,\"pageref\":false,"
                    "\"request\":{\"url\":\"https://t.com/\"}}]}}");
    CHECK_INT(fl.step, PW_STEP_UNKNOWN);
    CHECK_INT(fl.before, 0);
}

static void parse_time(void)
{
    CHECK(har_parse_time("1970-01-01T00:00:01.250Z") == 1.25);
    CHECK(har_parse_time("1970-01-01T01:00:00+01:00") == 0.0);
    CHECK(har_parse_time("garbage") == 0.0);
    /* other time zones in every ISO 8601 spelling, fractions of any length (a merged HAR
     * from recorders in several zones sorts by the instant, not the wall clock) */
    CHECK(har_parse_time("1970-01-01T00:00:00-0500") == 18000.0);
    CHECK(har_parse_time("1970-01-01T05:30:00+05:30") == 0.0);
    CHECK(har_parse_time("1970-01-01T02:00:00+02") == 0.0);
    CHECK(har_parse_time("1970-01-01T00:00:01.5-01:00") == 3601.5);
    CHECK(har_parse_time("1970-01-01T00:00:02.123456789Z") > 2.1234567 &&
          har_parse_time("1970-01-01T00:00:02.123456789Z") < 2.1234568);
    CHECK(har_parse_time(NULL) == 0.0);
}

/* A plain file is read straight into the reader's 64 KiB chunk (har_input.c): a file of several
 * chunks with a byte-order mark, whose second entry's "url" key and URL string cross the first
 * chunk's end at every byte, reads every entry whole, and counts every byte of the file. */
static void file_read_across_chunks(void)
{
    const char *head = "\xef\xbb\xbf{\"log\":{\"entries\":[";
    const char *e1 = "{\"request\":{\"method\":\"GET\",\"url\":\"https://h.org/a\"},\"_pad\":\"";
    const char *e2 =
        "\"},{\"request\":{\"method\":\"GET\",\"url\":\"https://h.org/appointments\"}},";
    const char *e3 = "{\"request\":{\"method\":\"GET\",\"url\":\"https://h.org/c\"},\"_pad\":\"";
    const char *tail = "\"}]}}";
    size_t base = 65536 - strlen(head) - strlen(e1) -
                  66; /* the chunk ends before, in and after "url" and its URL */
    for (size_t pad = base; pad < base + 50; pad++) {
        FILE *f = tmpfile();
        CHECK(f != NULL);
        if (!f)
            return;
        fputs(head, f);
        fputs(e1, f);
        for (size_t i = 0; i < pad; i++)
            fputc('x', f);
        fputs(e2, f);
        fputs(e3, f);
        for (size_t i = 0; i < 150000; i++)
            fputc(i % 100 ? 'y' : ' ', f);
        fputs(tail, f);
        long size = ftell(f);
        rewind(f);
        got g;
        memset(&g, 0, sizeof g);
        pw_capture_sink sink = {on_page, on_request, &g, NULL};
        pw_har_stats st;
        pw_err err;
        pw_err_clear(&err);
        CHECK_INT(pw_har_read_ex(f, "c.har", &sink, NULL, &st, &err), PW_OK);
        fclose(f);
        CHECK_INT(g.n_reqs, 3);
        CHECK_STR(g.url[0], "https://h.org/a");
        CHECK_STR(g.url[1], "https://h.org/appointments");
        CHECK_STR(g.url[2], "https://h.org/c");
        CHECK_INT(st.bytes, (size_t)size);
    }
}

/* A token the tokenizer cannot finish at a chunk's end is carried into the next chunk (har.c,
 * CARRY_MAX): a malformed one is still yajl's, at its true byte, wherever the chunk ends around
 * it, and a file that ends inside the carried token is still a file that ends inside the entry. */
static void carried_token_errors(void)
{
    const char *head =
        "{\"log\":{\"entries\":[{\"request\":{\"url\":\"https://h.org/a\"},\"_pad\":\"";
    const char *bad = "\"},{\"request\":{\"url\":\"https://h.org/\x01x\"}}]}}";
    for (size_t k = 0; k < 40; k++) {
        size_t pad = 65536 - strlen(head) - 40 + k;
        for (int cut = 0; cut < 2; cut++) {
            FILE *f = tmpfile();
            CHECK(f != NULL);
            if (!f)
                return;
            fputs(head, f);
            for (size_t i = 0; i < pad; i++)
                fputc('x', f);
            fwrite(bad, 1, cut ? 30 : strlen(bad), f); /* cut: ends in "https://h.o */
            rewind(f);
            pw_err err;
            pw_err_clear(&err);
            CHECK_INT(pw_har_read_ex(f, "e.har", NULL, NULL, NULL, &err), PW_ERR_PARSE);
            fclose(f);
            char want[160];
            size_t at = strlen(head) + pad + 36; /* the \x01, or the end of the cut file */
            if (cut)
                snprintf(want, sizeof want,
                         "e.har: byte %zu: expected more JSON: the file ends inside "
                         "log.entries[1].request",
                         strlen(head) + pad + 30);
            else
                snprintf(want, sizeof want,
                         "e.har: byte %zu: expected JSON: invalid character inside string.", at);
            CHECK_STR(err.msg, want);
        }
    }
}

PW_TEST_MAIN(PW_TEST(file_read_across_chunks), PW_TEST(carried_token_errors),
             PW_TEST(chrome_export), PW_TEST(firefox_export), PW_TEST(no_pages),
             PW_TEST(page_from_referer), PW_TEST(entry_without_pageref),
             PW_TEST(navigations_in_one_page), PW_TEST(vendor_documents_stay_on_page),
             PW_TEST(vendor_documents_no_pages), PW_TEST(phiwall_pages_are_exact),
             PW_TEST(phiwall_page_facts), PW_TEST(malformed), PW_TEST(truncates_long_strings),
             PW_TEST(limiter_chunks), PW_TEST(limiter_skips_unread),
             PW_TEST(skipped_values_keep_errors), PW_TEST(recorder_fields),
             PW_TEST(phiwall_consent_flags), PW_TEST(parse_time))
