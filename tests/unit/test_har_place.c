/* test_har_place.c — which page a HAR request lands on when the time order alone is a guess
 * (docs/scan-har.md, "Pages: the order the visitor saw them"): a proxy's capture of two tabs
 * (no pages, documents interleaved), one pageref over several navigations, and the HTML a
 * script fetched in a capture without Sec-Fetch-Dest. The HARs are written with ' for " . */
#include <stdlib.h>
#include <string.h>

#include "phiwall/har.h"
#include "pw_test.h"

#define MAXR 16
typedef struct got {
    int n_pages, n_reqs;
    char page_url[MAXR][160];
    char url[MAXR][160], page_of[MAXR][160];
} got;

static pw_status on_page(void *ctx, const pw_page *p, pw_err *err)
{
    got *g = ctx;
    if (g->n_pages < MAXR)
        snprintf(g->page_url[g->n_pages], 160, "%s", p->url);
    g->n_pages++;
    return PW_OK;
}

static pw_status on_request(void *ctx, const pw_request *r, pw_err *err)
{
    got *g = ctx;
    int i = g->n_reqs++;
    if (i < MAXR) {
        snprintf(g->url[i], 160, "%s", r->url);
        snprintf(g->page_of[i], 160, "%s", r->page_url ? r->page_url : "-");
    }
    return PW_OK;
}

/* Read the HAR (' for "); 0 on success. */
static int read_q(const char *q, got *g)
{
    char *j = strdup(q);
    for (char *p = j; *p; p++)
        if (*p == '\'')
            *p = '"';
    memset(g, 0, sizeof *g);
    FILE *f = fmemopen(j, strlen(j), "r");
    pw_capture_sink sink = {on_page, on_request, g, NULL};
    pw_err err;
    pw_status s = pw_har_read_ex(f, "t.har", &sink, NULL, NULL, &err);
    fclose(f);
    free(j);
    if (s != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    return s == PW_OK ? 0 : -1;
}

/* The page of the request to url (the first one), or "?" */
static const char *page_of(const got *g, const char *url)
{
    for (int i = 0; i < g->n_reqs && i < MAXR; i++)
        if (strcmp(g->url[i], url) == 0)
            return g->page_of[i];
    return "?";
}

#define HTML "'response':{'status':200,'content':{'mimeType':'text/html; charset=utf-8'}}"
#define GIF  "'response':{'status':200,'content':{'mimeType':'image/gif'}}"
#define NAV  "{'name':'Accept','value':'text/html,application/xhtml+xml,*/*;q=0.8'}"
#define DOC  NAV ",{'name':'Sec-Fetch-Dest','value':'document'}"

/* A proxy's capture (mitmproxy, Charles, Fiddler: no pages, no pageref) of two tabs: tab A opens
 * the hospital's HIV page, tab B a news site, then tab A's beacons go out. Before: every request
 * after B's document was B's, so A's Meta beacon (an HIV page view: critical) was counted on a news
 * site. */
static void two_tabs_no_pages(void)
{
    const char *q =
        "{'log':{'entries':["
        "{'startedDateTime':'2024-05-01T12:00:00.000Z','request':{'method':'GET','url':'https://"
        "www.h.org/conditions/hiv',"
        "'headers':[" DOC "]}," HTML "},"
        "{'startedDateTime':'2024-05-01T12:00:01.000Z','request':{'method':'GET','url':'https://"
        "news.example/',"
        "'headers':[" DOC "]}," HTML "},"
        /* A's tracker: only the origin in its Referer (strict-origin-when-cross-origin) */
        "{'startedDateTime':'2024-05-01T12:00:02.000Z','request':{'method':'GET','url':'https://"
        "www.facebook.com/tr/?id=1',"
        "'headers':[{'name':'Referer','value':'https://www.h.org/'}]}," GIF "},"
        /* A's own analytics: the whole page URL in its Referer (same origin) */
        "{'startedDateTime':'2024-05-01T12:00:02.100Z','request':{'method':'POST','url':'https://"
        "www.h.org/collect',"
        "'headers':[{'name':'Referer','value':'https://www.h.org/conditions/hiv'}]}," GIF "},"
        /* B's tracker stays on B */
        "{'startedDateTime':'2024-05-01T12:00:02.200Z','request':{'method':'GET','url':'https://"
        "t.example/b',"
        "'headers':[{'name':'Referer','value':'https://news.example/'}]}," GIF "},"
        /* no Referer: the time order's page */
        "{'startedDateTime':'2024-05-01T12:00:02.300Z','request':{'method':'GET','url':'https://"
        "t.example/none'}," GIF "},"
        /* the Referer of a vendor's frame names no page: the time order's page */
        "{'startedDateTime':'2024-05-01T12:00:02.400Z','request':{'method':'GET','url':'https://"
        "t.example/f',"
        "'headers':[{'name':'Referer','value':'https://sync.vendor.example/frame?x=1'}]}," GIF "}"
        "]}}";
    got g;
    CHECK_INT(read_q(q, &g), 0);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(page_of(&g, "https://www.facebook.com/tr/?id=1"), "https://www.h.org/conditions/hiv");
    CHECK_STR(page_of(&g, "https://www.h.org/collect"), "https://www.h.org/conditions/hiv");
    CHECK_STR(page_of(&g, "https://t.example/b"), "https://news.example/");
    CHECK_STR(page_of(&g, "https://t.example/none"), "https://news.example/");
    CHECK_STR(page_of(&g, "https://t.example/f"), "https://news.example/");
}

/* Two tabs of one site: an origin-only Referer cannot tell them apart (the time order decides),
 * a full one can; Chrome's initiator URL names the document even across origins. */
static void two_tabs_one_site(void)
{
    const char *q = "{'log':{'entries':["
                    "{'startedDateTime':'2024-05-01T12:00:00.000Z','_resourceType':'document','_"
                    "initiator':{'type':'other'},"
                    "'request':{'method':'GET','url':'https://www.h.org/conditions/hiv'}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:01.000Z','_resourceType':'document','_"
                    "initiator':{'type':'other'},"
                    "'request':{'method':'GET','url':'https://www.h.org/careers'}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:02.000Z','_resourceType':'image','_"
                    "initiator':{'type':'script','stack':"
                    "{'callFrames':[{'url':'https://connect.facebook.net/en_US/fbevents.js'}]}},"
                    "'request':{'method':'GET','url':'https://www.facebook.com/tr/?id=1',"
                    "'headers':[{'name':'Referer','value':'https://www.h.org/'}]}," GIF "},"
                    "{'startedDateTime':'2024-05-01T12:00:02.100Z','_resourceType':'image','_"
                    "initiator':{'type':'parser',"
                    "'url':'https://www.h.org/conditions/hiv'},"
                    "'request':{'method':'GET','url':'https://px.ads.example/p',"
                    "'headers':[{'name':'Referer','value':'https://www.h.org/'}]}," GIF "},"
                    "{'startedDateTime':'2024-05-01T12:00:02.200Z','_resourceType':'ping','_"
                    "initiator':{'type':'script','stack':"
                    "{'callFrames':[{'url':'https://www.h.org/conditions/hiv'}]}},"
                    "'request':{'method':'POST','url':'https://www.h.org/collect'}," GIF "},"
                    "{'startedDateTime':'2024-05-01T12:00:02.300Z','_resourceType':'xhr','request':"
                    "{'method':'GET',"
                    "'url':'https://www.h.org/api/"
                    "jobs','headers':[{'name':'Referer','value':'https://www.h.org/careers'}]},"
                    "'response':{'status':200,'content':{'mimeType':'application/json'}}}"
                    "]}}";
    got g;
    CHECK_INT(read_q(q, &g), 0);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(page_of(&g, "https://www.facebook.com/tr/?id=1"), "https://www.h.org/careers");
    CHECK_STR(page_of(&g, "https://px.ads.example/p"), "https://www.h.org/conditions/hiv");
    CHECK_STR(page_of(&g, "https://www.h.org/collect"), "https://www.h.org/conditions/hiv");
    CHECK_STR(page_of(&g, "https://www.h.org/api/jobs"), "https://www.h.org/careers");
}

/* One pageref over several navigations (puppeteer-har, Playwright): the page being left sends
 * its last beacon (pagehide, sendBeacon) after the next document started; its Referer names
 * it (a Referer of just `https://www.h.org/` would not: it may be any page's origin). Pagerefs that
 * are one page each are the recorder's word: a Referer never moves a request to another pageref's
 * page. */
static void pageref_navigations(void)
{
    const char *q =
        "{'log':{'pages':[{'id':'p','title':'https://www.h.org/find-a-doctor'},"
        "{'id':'q','title':'https://www.h.org/careers'}],'entries':["
        "{'pageref':'p','startedDateTime':'2024-05-01T12:00:00.000Z','_initiator_type':'other','"
        "request':{'method':'GET',"
        "'url':'https://www.h.org/find-a-doctor','headers':[{'name':'Sec-Fetch-Dest','value':"
        "'document'}]}," HTML "},"
        "{'pageref':'p','startedDateTime':'2024-05-01T12:00:05.000Z','_initiator_type':'other','"
        "request':{'method':'GET',"
        "'url':'https://www.h.org/conditions/hiv','headers':[{'name':'Sec-Fetch-Dest','value':"
        "'document'},{'name':'Referer','value':'https://www.h.org/find-a-doctor'}]}," HTML "},"
        "{'pageref':'p','startedDateTime':'2024-05-01T12:00:05.010Z','_initiator_type':'script','"
        "request':{'method':'POST',"
        "'url':'https://www.h.org/collect?leave=1','headers':["
        "{'name':'Referer','value':'https://www.h.org/find-a-doctor'}]}," GIF "},"
        "{'pageref':'p','startedDateTime':'2024-05-01T12:00:05.500Z','_initiator_type':'script','"
        "request':{'method':'POST',"
        "'url':'https://www.h.org/collect?view=1','headers':["
        "{'name':'Referer','value':'https://www.h.org/conditions/hiv'}]}," GIF "},"
        "{'pageref':'q','startedDateTime':'2024-05-01T12:00:09.000Z','_resourceType':'document','"
        "request':{'method':'GET',"
        "'url':'https://www.h.org/careers'}," HTML "},"
        "{'pageref':'q','startedDateTime':'2024-05-01T12:00:09.100Z','request':{'method':'POST',"
        "'url':'https://www.h.org/collect?late=1','headers':["
        "{'name':'Referer','value':'https://www.h.org/conditions/hiv'}]}," GIF "}"
        "]}}";
    got g;
    CHECK_INT(read_q(q, &g), 0);
    CHECK_INT(g.n_pages, 3);
    CHECK_STR(page_of(&g, "https://www.h.org/collect?leave=1"), "https://www.h.org/find-a-doctor");
    CHECK_STR(page_of(&g, "https://www.h.org/collect?view=1"), "https://www.h.org/conditions/hiv");
    CHECK_STR(page_of(&g, "https://www.h.org/collect?late=1"), "https://www.h.org/careers");
}

/* Without Sec-Fetch-Dest, HTML a script fetched is no document: it starts no page (before, a
 * same-site fragment became a page and took every later request of the visit). */
static void script_html_no_page(void)
{
    const char *q = "{'log':{'entries':["
                    "{'startedDateTime':'2024-05-01T12:00:00.000Z','request':{'method':'GET','url':"
                    "'https://www.h.org/find-a-doctor',"
                    "'headers':[" NAV "]}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:01.000Z','request':{'method':'GET','url':"
                    "'https://www.h.org/search/results?q=hiv',"
                    "'headers':[{'name':'Accept','value':'*/*'}]}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:01.100Z','request':{'method':'GET','url':"
                    "'https://www.h.org/widget.html',"
                    "'headers':[{'name':'Accept','value':'text/html, */*; q=0.01'},"
                    "{'name':'X-Requested-With','value':'XMLHttpRequest'}]}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:02.000Z','request':{'method':'GET','url':"
                    "'https://t.example/p'}," GIF "},"
                    /* a navigation, and a capture that kept no Accept: documents as before */
                    "{'startedDateTime':'2024-05-01T12:00:03.000Z','request':{'method':'GET','url':"
                    "'https://www.h.org/book',"
                    "'headers':[" NAV "]}," HTML "},"
                    "{'startedDateTime':'2024-05-01T12:00:04.000Z','request':{'method':'GET','url':"
                    "'https://www.h.org/bare'}," HTML "}"
                    "]}}";
    got g;
    CHECK_INT(read_q(q, &g), 0);
    CHECK_INT(g.n_pages, 3);
    CHECK_STR(g.page_url[0], "https://www.h.org/find-a-doctor");
    CHECK_STR(g.page_url[1], "https://www.h.org/book");
    CHECK_STR(g.page_url[2], "https://www.h.org/bare");
    CHECK_STR(page_of(&g, "https://t.example/p"), "https://www.h.org/find-a-doctor");
}

/* A same-site iframe in a proxy's capture of an older browser (no Sec-Fetch-Dest, no initiator)
 * looks like a link's navigation and starts a page; the requests after it whose whole Referer
 * names the page that embedded it go back to that page (before: all went to the iframe's). */
static void old_browser_iframe(void)
{
    const char *q =
        "{'log':{'entries':["
        "{'startedDateTime':'2024-05-01T12:00:00.000Z','request':{'method':'GET','url':"
        "'https://www.h.org/conditions/hiv','headers':[{'name':'Accept','value':'text/html'}]},"
        "'response':{'status':200,'content':{'mimeType':'text/html'}}},"
        "{'startedDateTime':'2024-05-01T12:00:00.500Z','request':{'method':'GET','url':"
        "'https://www.h.org/widgets/chat','headers':[{'name':'Accept','value':'text/html'},"
        "{'name':'Referer','value':'https://www.h.org/conditions/hiv'}]},"
        "'response':{'status':200,'content':{'mimeType':'text/html'}}},"
        "{'startedDateTime':'2024-05-01T12:00:00.600Z','request':{'method':'GET','url':"
        "'https://www.h.org/widgets/chat.js','headers':[{'name':'Referer','value':"
        "'https://www.h.org/widgets/chat'}]},"
        "'response':{'status':200,'content':{'mimeType':'text/javascript'}}},"
        "{'startedDateTime':'2024-05-01T12:00:01.000Z','request':{'method':'POST','url':"
        "'https://www.h.org/collect','headers':[{'name':'Referer','value':"
        "'https://www.h.org/conditions/hiv'}]},"
        "'response':{'status':204,'content':{'mimeType':''}}}"
        "]}}";
    got g;
    CHECK_INT(read_q(q, &g), 0);
    CHECK_INT(g.n_pages, 2);
    CHECK_STR(page_of(&g, "https://www.h.org/widgets/chat.js"), "https://www.h.org/widgets/chat");
    CHECK_STR(page_of(&g, "https://www.h.org/collect"), "https://www.h.org/conditions/hiv");
}

PW_TEST_MAIN(PW_TEST(two_tabs_no_pages), PW_TEST(two_tabs_one_site), PW_TEST(pageref_navigations),
             PW_TEST(script_html_no_page), PW_TEST(old_browser_iframe))
