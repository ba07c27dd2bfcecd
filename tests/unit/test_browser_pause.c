/* test_browser_pause.c — unit tests of what the browser scan takes from Fetch pauses, without a
 * browser (a pipe stands in for it): a beacon whose body Network.getRequestPostData could no
 * longer give (its document was replaced: "No resource with given id was found") keeps the body
 * its pause carried, and a beacon the Network domain never reported (sent by an unloading
 * document: its pause has no networkId) is delivered from its pause, with its body, answer and
 * page, after the page's other requests; that page is the one being left, whether the pause comes
 * before or after the next document's commit. A request whose event has no time is handed on
 * with the time of the request before it (the place it was seen in). The answer of a navigation
 * that a later one replaced is not the later one's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/browser_int.h"
#include "pw_test.h"

static void put(int fd, const char *s)
{
    CHECK(write(fd, s, strlen(s) + 1) == (ssize_t)strlen(s) + 1);
}

/* The id of the command with this method among what the scan sent (NUL-separated), or -1. */
static long sent_id(int fd, const char *method)
{
    static char buf[65536];
    static size_t len;
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n > 0)
        len += (size_t)n;
    buf[len] = '\0';
    for (size_t at = 0; at < len; at += strlen(buf + at) + 1) {
        const char *id = strstr(buf + at, "\"id\":");
        if (id && strstr(buf + at, method))
            return strtol(id + 5, NULL, 10);
    }
    return -1;
}

typedef struct seen {
    pw_request r[8];
    char body[8][256];
    size_t n;
} seen;

static pw_status on_request(void *ctx, const pw_request *r, pw_err *err)
{
    (void)err;
    seen *s = ctx;
    if (s->n == 8)
        return PW_OK;
    s->r[s->n] = *r;
    snprintf(s->body[s->n], sizeof s->body[0], "%.*s", (int)r->body_len,
             r->body ? (const char *)r->body : "");
    s->n++;
    return PW_OK;
}

#define PAGE        "http://127.0.0.1:8080/appointments"
#define BODY_SUBMIT "ev=Lead&udff%5Bem%5D=a%40example.org"
#define BODY_LEAVE  "ev=PageLeave&udff%5Bem%5D=b%40example.org"

#define NEXT "http://127.0.0.1:8080/appointments/thanks?email=a%40example.org"

/* Events of the tab's top frame (F1): a document committed, a navigation to another one begun. */
static void commit(int fd, const char *url)
{
    char ev[512];
    snprintf(ev, sizeof ev,
             "{\"method\":\"Page.frameNavigated\",\"sessionId\":\"S\",\"params\":{\"frame\":{"
             "\"id\":\"F1\",\"loaderId\":\"L-%zu\",\"url\":\"%s\"}}}",
             strlen(url), url);
    put(fd, ev);
}

static void navigating(int fd, const char *url, const char *type)
{
    char ev[512];
    snprintf(ev, sizeof ev,
             "{\"method\":\"Page.frameStartedNavigating\",\"sessionId\":\"S\",\"params\":{"
             "\"frameId\":\"F1\",\"url\":\"%s\",\"loaderId\":\"N\",\"navigationType\":\"%s\"}}",
             url, type);
    put(fd, ev);
}

/* A tab on PAGE (committed unless `before_commit`) of a browser that is a pipe. */
typedef struct fixture {
    int to_us[2], to_browser[2];
    pw_browser_opts o;
    seen got;
    pw_capture_sink sink;
    pw_browser_stats stats;
    bx_browser *b;
    bx_tab *t;
} fixture;

static void setup(fixture *f, int before_commit)
{
    memset(f, 0, sizeof *f);
    CHECK(pipe(f->to_us) == 0 && pipe(f->to_browser) == 0);
    fcntl(f->to_browser[0], F_SETFL, O_NONBLOCK); /* sent_id reads what is there */
    pw_browser_opts_init(&f->o);
    f->o.contain = 0; /* passed on to the network: what is kept does not depend on containment */
    f->sink = (pw_capture_sink){.on_request = on_request, .ctx = &f->got};
    bx_browser *b = f->b = calloc(1, sizeof *b);
    b->o = &f->o;
    b->sink = &f->sink;
    b->stats = &f->stats;
    b->deliver = 1;
    b->n_tabs = 1;
    bx_tab *t = f->t = &b->tabs[0];
    pw_arena_init(&t->arena, 0);
    t->b = b;
    t->session = strdup("S");
    t->target_id = strdup("F1");
    bx_task task = {.url = PAGE};
    bx_tab_begin(t, &task);
    t->facts_url = PAGE;
    CHECK_INT(cdp_conn_new(f->to_us[0], f->to_browser[1], &b->conn, NULL), PW_OK);
    cdp_conn_on_event(b->conn, bx_on_event, b);
    if (before_commit)
        return;
    commit(f->to_us[1], PAGE);
    long long deadline = cdp_now_ms() + 5000;
    while (!t->top_url && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    CHECK_STR(t->top_url, PAGE);
}

static void teardown(fixture *f)
{
    cdp_conn_free(f->b->conn);
    for (int i = 0; i < 2; i++)
        close(f->to_us[i]), close(f->to_browser[i]);
    bx_tab_reset(f->t);
    pw_arena_free(&f->t->arena);
    free(f->t->session);
    free(f->t->target_id);
    free(f->b);
}

/* The pagehide beacon: only its pause, without a networkId. */
static const char leave_pause[] =
    "{\"method\":\"Fetch.requestPaused\",\"sessionId\":\"S\",\"params\":{"
    "\"requestId\":\"interception-job-2.0\",\"frameId\":\"F1\",\"resourceType\":"
    "\"Ping\",\"request\":{\"url\":\"https://in.hotjar.com/api\",\"method\":\"POST\","
    "\"headers\":{\"Content-Type\":\"text/plain\"},\"hasPostData\":true,"
    "\"postDataEntries\":[{\"bytes\":\"ZXY9UGFnZUxlYXZlJnVkZmYlNUJlbSU1RD1iJTQwZXhhbXBs"
    "ZS5vcmc=\"}]}}}";

static void test_pause_body_and_pause_only(void)
{
    fixture fx;
    setup(&fx, 0);
    bx_browser *b = fx.b;
    bx_tab *t = fx.t;
    int *to_us = fx.to_us, *to_browser = fx.to_browser;
    /* the submit beacon: a Blob body, so the event has hasPostData but no postData */
    put(to_us[1], "{\"method\":\"Network.requestWillBeSent\",\"sessionId\":\"S\",\"params\":{"
                  "\"requestId\":\"9.7\",\"loaderId\":\"L\",\"type\":\"Ping\",\"frameId\":\"F1\","
                  "\"documentURL\":\"" PAGE "\",\"request\":{\"url\":\"https://www.facebook.com/"
                  "tr\",\"method\":\"POST\",\"hasPostData\":true,\"headers\":{}}}}");
    put(to_us[1],
        "{\"method\":\"Fetch.requestPaused\",\"sessionId\":\"S\",\"params\":{"
        "\"requestId\":\"interception-job-1.0\",\"networkId\":\"9.7\",\"frameId\":\"F1\","
        "\"resourceType\":\"Ping\",\"request\":{\"url\":\"https://www.facebook.com/tr\","
        "\"method\":\"POST\",\"headers\":{},\"hasPostData\":true,\"postData\":\"" BODY_SUBMIT
        "\"}}}");
    commit(to_us[1], "about:blank"); /* the scan left the page */
    put(to_us[1], leave_pause);
    long long deadline = cdp_now_ms() + 5000;
    while (t->n_reqs < 1 && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    long id = -1;
    while ((id = sent_id(to_browser[0], "Network.getRequestPostData")) < 0 &&
           cdp_now_ms() < deadline)
        cdp_pump(b->conn, cdp_now_ms() + 50, NULL);
    CHECK(id > 0);
    char answer[256];
    snprintf(answer, sizeof answer,
             "{\"id\":%ld,\"error\":{\"code\":-32000,\"message\":\"No resource with given id was "
             "found\"},\"sessionId\":\"S\"}",
             id);
    put(to_us[1], answer);
    while ((t->bodies_pending || !t->answered || !t->answered->next) && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    CHECK_INT((long long)t->bodies_pending, 0);

    pw_err err;
    CHECK_INT(bx_tab_flush(t, &err), PW_OK);
    CHECK_INT(bx_flush_reqs(t->b, &err), PW_OK); /* the round's requests, in send order */
    CHECK_INT((long long)fx.got.n, 2);
    CHECK_STR(fx.got.r[0].url, "https://www.facebook.com/tr");
    CHECK_STR(fx.got.body[0], BODY_SUBMIT); /* the pause's body: the Network domain had none */
    CHECK_STR(fx.got.r[1].url, "https://in.hotjar.com/api");
    CHECK_STR(fx.got.r[1].method, "POST");
    CHECK_STR(fx.got.body[1], BODY_LEAVE);
    CHECK_STR(fx.got.r[1].page_url, PAGE);
    CHECK_STR(fx.got.r[1].resource_type, "ping");
    CHECK_STR(fx.got.r[1].content_type, "text/plain");
    CHECK_INT(fx.got.r[1].source, PW_SOURCE_BROWSER);
    CHECK_INT((long long)fx.stats.requests, 2);

    teardown(&fx);
}

/* A request only a pause saw, before the task's first document committed: sent by the document
 * the tab showed before (the login's landing page when the first task navigated away from it),
 * not by the task's page. */
static void test_pause_only_before_commit(void)
{
    fixture fx;
    setup(&fx, 1);
    put(fx.to_us[1], leave_pause);
    long long deadline = cdp_now_ms() + 5000;
    while (!fx.t->answered && cdp_now_ms() < deadline)
        cdp_pump(fx.b->conn, deadline, NULL);
    CHECK(fx.t->answered != NULL); /* answered (passed on), not kept */
    pw_err err;
    CHECK_INT(bx_tab_flush(fx.t, &err), PW_OK);
    CHECK_INT(bx_flush_reqs(fx.t->b, &err), PW_OK);
    CHECK_INT((long long)fx.got.n, 0);
    teardown(&fx);
}

/* The pagehide beacon of PAGE when a submission loads NEXT: the events of `before` come between
 * PAGE's commit and the beacon's pause, those of `after` after it; the beacon is PAGE's in every
 * order. */
static void expect_left_page(const char *what, void (*before)(int fd), void (*after)(int fd))
{
    fixture fx;
    setup(&fx, 0);
    if (before)
        before(fx.to_us[1]);
    put(fx.to_us[1], leave_pause);
    if (after)
        after(fx.to_us[1]);
    put(fx.to_us[1], "{\"method\":\"Page.loadEventFired\",\"sessionId\":\"S\",\"params\":{}}");
    long long deadline = cdp_now_ms() + 5000;
    while (!fx.t->loaded && cdp_now_ms() < deadline)
        cdp_pump(fx.b->conn, deadline, NULL);
    pw_err err;
    CHECK_INT(bx_tab_flush(fx.t, &err), PW_OK);
    CHECK_INT(bx_flush_reqs(fx.t->b, &err), PW_OK);
    CHECK_INT((long long)fx.got.n, 1);
    if (fx.got.n == 1 && strcmp(fx.got.r[0].page_url, PAGE) != 0)
        fprintf(stderr, "%s: the beacon is on %s\n", what, fx.got.r[0].page_url);
    CHECK_STR(fx.got.r[0].page_url, PAGE);
    teardown(&fx);
}

static void submit_started(int fd)
{
    navigating(fd, NEXT, "differentDocument");
}
static void next_committed(int fd)
{
    commit(fd, NEXT);
}
static void started_and_committed(int fd)
{
    submit_started(fd);
    next_committed(fd);
}
/* On the next page, a fragment link and a history.pushState: the document stays. */
static void committed_then_same_document(int fd)
{
    started_and_committed(fd);
    put(fd, "{\"method\":\"Page.frameRequestedNavigation\",\"sessionId\":\"S\",\"params\":{"
            "\"frameId\":\"F1\",\"reason\":\"anchorClick\",\"url\":\"" NEXT "#top\","
            "\"disposition\":\"currentTab\"}}");
    navigating(fd, NEXT "&step=2", "sameDocument");
}
/* A form submission the page asks for (browsers without Page.frameStartedNavigating). */
static void submit_requested(int fd)
{
    put(fd, "{\"method\":\"Page.frameRequestedNavigation\",\"sessionId\":\"S\",\"params\":{"
            "\"frameId\":\"F1\",\"reason\":\"formSubmissionGet\",\"url\":\"" NEXT "\","
            "\"disposition\":\"currentTab\"}}");
}

static void test_pause_only_page_left(void)
{
    /* the pause before the next page's commit: the page shown is being left */
    expect_left_page("pause, then commit", submit_started, next_committed);
    expect_left_page("requested, pause, commit", submit_requested, next_committed);
    /* the commit first (the next page on another site commits before the left page's pagehide
     * runs): the page the commit replaced, which the earlier versions got wrong */
    expect_left_page("commit, then pause", started_and_committed, NULL);
    expect_left_page("commit, same-document navigations, pause", committed_then_same_document,
                     NULL);
}

/* A request of PAGE (requestId id, url u), with the event's wallTime unless wall <= 0. */
static void request_at(int fd, const char *id, const char *u, double wall)
{
    char ev[768], when[64] = "";
    if (wall > 0)
        snprintf(when, sizeof when, "\"wallTime\":%.3f,", wall);
    snprintf(ev, sizeof ev,
             "{\"method\":\"Network.requestWillBeSent\",\"sessionId\":\"S\",\"params\":{"
             "\"requestId\":\"%s\",\"loaderId\":\"L\",\"type\":\"Image\",\"frameId\":\"F1\","
             "%s\"documentURL\":\"" PAGE "\",\"request\":{\"url\":\"%s\",\"method\":\"GET\","
             "\"headers\":{}}}}",
             id, when, u);
    put(fd, ev);
}

/* A request whose event has no wallTime keeps the place it was seen in: it is handed on (and
 * written to the HAR) with the time of the request before it in the tab, the first timed one's
 * when none is before it. Before, it was handed on with no time, which the HAR writer replaced
 * with the time of the write: read back in time order, it came after the round's other requests
 * (and a live finding's first page was not the HAR's). */
static void test_request_without_time(void)
{
    fixture fx;
    setup(&fx, 0);
    int fd = fx.to_us[1];
    request_at(fd, "1.1", "https://www.facebook.com/tr?ev=First", 0);
    request_at(fd, "1.2", "https://www.facebook.com/tr?ev=A", 1700000000.250);
    request_at(fd, "1.3", "https://www.facebook.com/tr?ev=B", 0);
    request_at(fd, "1.4", "https://www.facebook.com/tr?ev=C", 1700000000.500);
    long long deadline = cdp_now_ms() + 5000;
    while (fx.t->n_reqs < 4 && cdp_now_ms() < deadline)
        cdp_pump(fx.b->conn, deadline, NULL);
    pw_err err;
    CHECK_INT(bx_tab_flush(fx.t, &err), PW_OK);
    CHECK_INT(bx_flush_reqs(fx.t->b, &err), PW_OK);
    CHECK_INT((long long)fx.got.n, 4);
    static const char *const order[] = {"First", "A", "B", "C"};
    static const double when[] = {1700000000.250, 1700000000.250, 1700000000.250, 1700000000.500};
    for (size_t i = 0; i < 4 && i < fx.got.n; i++) {
        CHECK(strstr(fx.got.r[i].url, order[i]) != NULL);
        if (fx.got.r[i].timestamp != when[i])
            fprintf(stderr, "request %s: time %.3f, expected %.3f\n", order[i],
                    fx.got.r[i].timestamp, when[i]);
        CHECK(fx.got.r[i].timestamp == when[i]);
    }
    teardown(&fx);
}

/* The ids of the Page.navigate commands the scan sent on fd (this fixture's pipe), in order. */
static size_t navigate_ids(int fd, long *ids, size_t max)
{
    static char buf[65536];
    size_t len = 0, n = 0;
    ssize_t got;
    while (len < sizeof buf - 1 && (got = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    for (size_t at = 0; at < len && n < max; at += strlen(buf + at) + 1) {
        const char *id = strstr(buf + at, "\"id\":");
        if (id && strstr(buf + at, "\"Page.navigate\""))
            ids[n++] = strtol(id + 5, NULL, 10);
    }
    return n;
}

static void answer_navigate(fixture *f, long id, const char *error_text)
{
    char answer[256];
    snprintf(answer, sizeof answer,
             "{\"id\":%ld,\"result\":{\"frameId\":\"F1\"%s%s%s},\"sessionId\":\"S\"}", id,
             error_text ? ",\"errorText\":\"" : "", error_text ? error_text : "",
             error_text ? "\"" : "");
    put(f->to_us[1], answer);
    long long deadline = cdp_now_ms() + 5000;
    unsigned want = f->t->nav_answered + 1;
    while (f->t->nav_answered < want && cdp_now_ms() < deadline)
        cdp_pump(f->b->conn, deadline, NULL);
    CHECK_INT((long long)f->t->nav_answered, (long long)want);
}

/* A navigation that a later one replaced answers net::ERR_ABORTED, late on a loaded machine (the
 * leave's about:blank replaced by the next task's page): that answer is not the later
 * navigation's. Before, it marked the next page failed (nav_failed, "net::ERR_ABORTED"): a page
 * that then timed out had no "no load event" gap and no page gap at all
 * (scan_browser_incomplete's "live scan: page and login reasons", once under load). */
static void test_replaced_navigation_answer(void)
{
    fixture fx;
    setup(&fx, 0);
    bx_tab *t = fx.t;
    pw_err err;
    CHECK_INT(bx_tab_navigate(t, "about:blank", &err), PW_OK);
    CHECK_INT(bx_tab_navigate(t, NEXT, &err), PW_OK);
    long ids[4];
    CHECK_INT((long long)navigate_ids(fx.to_browser[0], ids, 4), 2);
    answer_navigate(&fx, ids[0], "net::ERR_ABORTED"); /* about:blank, replaced */
    CHECK_INT(t->nav_failed, 0);
    CHECK(t->nav_error == NULL);
    answer_navigate(&fx, ids[1], NULL); /* the page's own: committed */
    CHECK_INT(t->nav_failed, 0);
    /* the latest navigation's own failure is still the task's */
    CHECK_INT(bx_tab_navigate(t, PAGE, &err), PW_OK);
    CHECK_INT((long long)navigate_ids(fx.to_browser[0], ids, 4), 1);
    answer_navigate(&fx, ids[0], "net::ERR_CONNECTION_REFUSED");
    CHECK_INT(t->nav_failed, 1);
    CHECK_STR(t->nav_error, "net::ERR_CONNECTION_REFUSED");
    teardown(&fx);
}

/* A frame's unload marker announce ("…/__phiwall_unload__?<doc>&a=<id>", sent by its first
 * pagehide listener) and its marker ("…&n=<beacons>&f=<id>") are phiwall's own: answered here,
 * no request of any page; the announce makes the leave wait for that frame's marker. One that
 * comes from the top frame is no frame's (the page forged it): it is ignored. */
#define FRAME_DOC "http%3A%2F%2F127.0.0.1%3A8080%2Fwidget"
#define UNLOAD    "http://127.0.0.1:8080" BX_UNLOAD_PATH "?" FRAME_DOC

static void frame_pause(int fd, int job, const char *frame, const char *url)
{
    char ev[768];
    snprintf(ev, sizeof ev,
             "{\"method\":\"Fetch.requestPaused\",\"sessionId\":\"S\",\"params\":{"
             "\"requestId\":\"interception-job-%d.0\",\"frameId\":\"%s\",\"resourceType\":"
             "\"Ping\",\"request\":{\"url\":\"%s\",\"method\":\"POST\",\"headers\":{}}}}",
             job, frame, url);
    put(fd, ev);
}

static void test_frame_unload_markers(void)
{
    size_t n = 0;
    CHECK(bx_unload_marker_frame(UNLOAD "&n=0", BX_FRAME_ANNOUNCE, &n) == NULL);
    CHECK(bx_unload_marker_frame(UNLOAD "&n=0", BX_FRAME_MARKED, &n) == NULL);
    CHECK(bx_unload_marker_frame(UNLOAD "&a=", BX_FRAME_ANNOUNCE, &n) == NULL);
    CHECK(bx_unload_marker_frame("http://127.0.0.1:8080/x?&a=k1", BX_FRAME_ANNOUNCE, &n) == NULL);
    const char *id = bx_unload_marker_frame(UNLOAD "&n=2&f=k1", BX_FRAME_MARKED, &n);
    CHECK(id != NULL && n == 2 && strncmp(id, "k1", 2) == 0);
    /* ids the marker script does not make are the page's: refused (a frame flooding 1,500
     * announces of 200 KB ids made the scan hold ~200 MB and walk them all per announce) */
    id =
        bx_unload_marker_frame(UNLOAD "&a=0123456789abcdefghijklmnopqrstuv", BX_FRAME_ANNOUNCE, &n);
    CHECK(id != NULL && n == BX_FRAME_ID_MAX);
    CHECK(bx_unload_marker_frame(UNLOAD "&a=0123456789abcdefghijklmnopqrstuvw", BX_FRAME_ANNOUNCE,
                                 &n) == NULL);
    CHECK(bx_unload_marker_frame(UNLOAD "&a=K1", BX_FRAME_ANNOUNCE, &n) == NULL);
    CHECK(bx_unload_marker_frame(UNLOAD "&f=k%001", BX_FRAME_MARKED, &n) == NULL);
    /* the marker is the path, not the string anywhere in a URL */
    CHECK(bx_is_unload_marker(UNLOAD "&n=0"));
    CHECK(!bx_is_unload_marker("http://127.0.0.1:8080/x?r=" BX_UNLOAD_PATH "?y"));

    fixture fx;
    setup(&fx, 0);
    bx_browser *b = fx.b;
    bx_tab *t = fx.t;
    int *to_us = fx.to_us;
    put(to_us[1], "{\"method\":\"Network.requestWillBeSent\",\"sessionId\":\"S\",\"params\":{"
                  "\"requestId\":\"9.8\",\"loaderId\":\"L2\",\"type\":\"Ping\",\"frameId\":\"F2\","
                  "\"documentURL\":\"http://127.0.0.1:8080/widget\",\"request\":{\"url\":\"" UNLOAD
                  "&a=k1\",\"method\":\"POST\",\"headers\":{}}}}");
    frame_pause(to_us[1], 1, "F1", UNLOAD "&a=forged"); /* the top frame's: no frame's */
    frame_pause(to_us[1], 2, "F2", UNLOAD "&a=k1");
    long long deadline = cdp_now_ms() + 5000;
    while (!t->frame_marks && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    CHECK(t->frame_marks != NULL);
    CHECK_INT((long long)t->n_frame_marks, 1);
    if (t->frame_marks) {
        CHECK_STR(t->frame_marks->id, "k1");
        CHECK_INT(t->frame_marks->ran, 1);
        CHECK_INT(t->frame_marks->marked, 0);
        CHECK_INT(t->frame_marks->doc_seq, t->doc_seq);
    }
    frame_pause(to_us[1], 3, "F2", UNLOAD "&n=1&f=k1");
    while (t->frame_marks && !t->frame_marks->marked && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    CHECK(t->frame_marks && t->frame_marks->marked);
    CHECK_INT((long long)t->n_frame_marks, 1);
    static char sent[16384]; /* what the scan sent this fixture's browser */
    size_t len = 0;
    while (!strstr(sent, "interception-job-3.0") && len < sizeof sent - 1 &&
           cdp_now_ms() < deadline) {
        ssize_t got = read(fx.to_browser[0], sent + len, sizeof sent - 1 - len);
        if (got > 0)
            len += (size_t)got;
        for (size_t i = 0; i < len; i++) /* NUL-separated messages: one string */
            if (!sent[i])
                sent[i] = '\n';
        sent[len] = '\0';
        if (got <= 0)
            cdp_pump(b->conn, cdp_now_ms() + 50, NULL);
    }
    for (int job = 1; job <= 3; job++) { /* each answered here, none sent on to the site */
        char want[96];
        snprintf(want, sizeof want,
                 "\"Fetch.fulfillRequest\",\"params\":{\"requestId\":"
                 "\"interception-job-%d.0\"",
                 job);
        CHECK(strstr(sent, want) != NULL);
    }
    CHECK(strstr(sent, "Fetch.continueRequest") == NULL);
    pw_err err;
    CHECK_INT(bx_tab_flush(t, &err), PW_OK);
    CHECK_INT(bx_flush_reqs(t->b, &err), PW_OK);
    CHECK_INT((long long)fx.got.n, 0); /* no request of any page */
    CHECK_INT((long long)fx.stats.requests, 0);
    teardown(&fx);
}

PW_TEST_MAIN(PW_TEST(test_pause_body_and_pause_only), PW_TEST(test_pause_only_before_commit),
             PW_TEST(test_pause_only_page_left), PW_TEST(test_request_without_time),
             PW_TEST(test_replaced_navigation_answer), PW_TEST(test_frame_unload_markers))
