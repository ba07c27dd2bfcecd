/*
 * test_har_roundtrip.c — phiwall's own HAR (--har-out, har_write.c) read back by the HAR reader
 * (har.c): a small browser-like session (consent flags, a hidden-iframe form POST whose frame is
 * the vendor's document, page facts) is fed once straight to an assessor and once through the
 * writer and `scan --har`'s reader; every request field the writer keeps, the page of each
 * request and the findings must come back the same.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phiwall/assess.h"
#include "phiwall/browser.h"
#include "phiwall/har.h"
#include "pw_test.h"
#include "pw_test_finding.h"

#define SITE    "https://rivermoor.test"
#define APPT    SITE "/appointments/request?service=oncology"
#define META_TR "https://www.facebook.com/tr/"
#define N_MAX   16

static const pw_header doc_headers[] = {{"User-Agent", "Mozilla/5.0"}};
static const pw_header form_headers[] = {
    {"Content-Type", "application/x-www-form-urlencoded"},
    {"Referer", APPT},
};
static const char meta_form_body[] =
    "id=493027145822310&ev=SubscribedButtonClick&dl=" SITE "%2Fappointments%2Frequest"
    "&cd%5BbuttonText%5D=Request%20oncology%20appointment"
    "&cd%5BformFeatures%5D=%5B%7B%22id%22%3A%22first_name%22%7D%2C%7B%22id%22%3A%22dob%22%7D%5D"
    "&udff%5Bem%5D=5c0dd8b2e8d1f5b3a0a8d1ef4e4cfcd4b7b6f8e3f0e6e0e4e2b1f4a9c3d2e1f0";
static const unsigned char binary_body[] = {0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0xc3, 0x28, 'x'};

static const pw_page session_pages[] = {
    {.url = APPT, .title = "Request an Appointment | Rivermoor", .timestamp = 1795944000.5},
    {.url = SITE "/portal/dashboard",
     .title = "My Health Dashboard",
     .has_login_form = 0,
     .after_login = 1,
     .has_session_cookie = 1,
     .timestamp = 1795944010.25},
    {.url = SITE "/careers", .title = NULL, .has_login_form = 1, .timestamp = 1795944020.0},
};

static const pw_request session_requests[] = {
    {.method = "GET",
     .url = APPT,
     .headers = doc_headers,
     .n_headers = 1,
     .page_url = APPT,
     .frame_url = APPT,
     .resource_type = "document",
     .initiator = "other",
     .timestamp = 1795944000.5,
     .status = 200,
     .step = PW_STEP_LOAD,
     .before_consent = 1},
    {.method = "GET",
     .url = META_TR "?id=493027145822310&ev=PageView&dl=" SITE
                    "%2Fappointments%2Frequest%3Fservice%3Doncology",
     .page_url = APPT,
     .frame_url = APPT,
     .resource_type = "image",
     .initiator = "https://connect.facebook.net/en_US/fbevents.js",
     .timestamp = 1795944000.75,
     .status = 204,
     .step = PW_STEP_LOAD,
     .before_consent = 1},
    /* Meta's hidden-iframe form POST: a document request of the iframe, no Sec-Fetch-Dest,
     * initiator "other"; it belongs to the appointment page that embedded the iframe */
    {.method = "POST",
     .url = META_TR,
     .headers = form_headers,
     .n_headers = 2,
     .body = (const unsigned char *)meta_form_body,
     .body_len = sizeof meta_form_body - 1,
     .content_type = "application/x-www-form-urlencoded",
     .page_url = APPT,
     .frame_url = META_TR,
     .resource_type = "document",
     .initiator = "other",
     .timestamp = 1795944001.125,
     .status = 204,
     .step = PW_STEP_SUBMIT},
    {.method = "POST",
     .url = "https://analytics.example.net/collect",
     .body = binary_body,
     .body_len = sizeof binary_body,
     .content_type = "application/octet-stream",
     .page_url = APPT,
     .frame_url = APPT,
     .resource_type = "ping",
     .initiator = "parser",
     .timestamp = 1795944001.5,
     .status = 204,
     .step = PW_STEP_CLICK},
    /* a body without a Content-Type (sendBeacon of a string), with a NUL */
    {.method = "POST",
     .url = "https://analytics.example.net/beacon",
     .body = (const unsigned char *)"e=click\0x",
     .body_len = 9,
     .page_url = APPT,
     .frame_url = APPT,
     .resource_type = "ping",
     .initiator = "script",
     .timestamp = 1795944002.0,
     .status = 204,
     .step = PW_STEP_CLICK},
    {.method = "GET",
     .url = SITE "/portal/dashboard",
     .headers = doc_headers,
     .n_headers = 1,
     .page_url = SITE "/portal/dashboard",
     .frame_url = SITE "/portal/dashboard",
     .resource_type = "document",
     .initiator = "other",
     .timestamp = 1795944010.25,
     .status = 200,
     .step = PW_STEP_LOAD},
    {.method = "GET",
     .url = META_TR "?id=493027145822310&ev=PageView&dl=" SITE "%2Fportal%2Fdashboard",
     .page_url = SITE "/portal/dashboard",
     .frame_url = SITE "/portal/dashboard",
     .resource_type = "image",
     .initiator = "https://connect.facebook.net/en_US/fbevents.js",
     .timestamp = 1795944010.5,
     .status = 204,
     .step = PW_STEP_SCROLL,
     .after_reject = 1,
     .visit_retried = 1},
    {.method = "GET",
     .url = META_TR "?id=493027145822310&ev=PageView&dl=" SITE "%2Fcareers",
     .page_url = SITE "/careers",
     .frame_url = SITE "/careers",
     .resource_type = "image",
     .initiator = "https://connect.facebook.net/en_US/fbevents.js",
     .timestamp = 1795944020.5,
     .status = 204,
     .step = PW_STEP_LOAD},
};

#define N_PAGES (sizeof session_pages / sizeof session_pages[0])
#define N_REQS  (sizeof session_requests / sizeof session_requests[0])

/* ---- a pipeline: catalog + detector + assessor ---- */

typedef struct pipeline {
    pw_catalog *cat;
    pw_detector *det;
    pw_assessor *as;
    const pw_scan_result *r;
} pipeline;

static int pipeline_open(pipeline *p)
{
    memset(p, 0, sizeof *p);
    pw_err err;
    pw_detector_opts dopts = {0};
    if (pw_catalog_load(NULL, &p->cat, &err) != PW_OK ||
        pw_detector_new(&dopts, &p->det, &err) != PW_OK)
        return 0;
    pw_assess_opts aopts = {.catalog = p->cat, .detector = p->det};
    return pw_assessor_new(&aopts, &p->as, &err) == PW_OK;
}

static void pipeline_close(pipeline *p)
{
    pw_assessor_free(p->as);
    pw_detector_free(p->det);
    pw_catalog_free(p->cat);
}

/* ---- what the reader delivered, copied ---- */

typedef struct seen_req {
    char method[8], url[512], page_url[256], frame_url[256], rtype[16], init[128], ctype[64];
    unsigned char body[512];
    size_t body_len, n_headers;
    double ts;
    int status, before, reject, retried;
    pw_step step;
} seen_req;

typedef struct seen_page {
    char url[256], title[128];
    int login_form, after_login, session_cookie;
    double ts;
} seen_page;

typedef struct seen {
    pipeline *p;
    seen_req req[N_MAX];
    seen_page page[N_MAX];
    size_t n_reqs, n_pages;
} seen;

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "(null)");
}

static pw_status seen_page_cb(void *ctx, const pw_page *pg, pw_err *err)
{
    seen *s = ctx;
    if (s->n_pages < N_MAX) {
        seen_page *c = &s->page[s->n_pages];
        copy_str(c->url, sizeof c->url, pg->url);
        copy_str(c->title, sizeof c->title, pg->title);
        c->login_form = pg->has_login_form;
        c->after_login = pg->after_login;
        c->session_cookie = pg->has_session_cookie;
        c->ts = pg->timestamp;
    }
    s->n_pages++;
    return pw_assessor_add_page(s->p->as, pg, err);
}

static pw_status seen_req_cb(void *ctx, const pw_request *r, pw_err *err)
{
    seen *s = ctx;
    if (s->n_reqs < N_MAX) {
        seen_req *c = &s->req[s->n_reqs];
        copy_str(c->method, sizeof c->method, r->method);
        copy_str(c->url, sizeof c->url, r->url);
        copy_str(c->page_url, sizeof c->page_url, r->page_url);
        copy_str(c->frame_url, sizeof c->frame_url, r->frame_url);
        copy_str(c->rtype, sizeof c->rtype, r->resource_type);
        copy_str(c->init, sizeof c->init, r->initiator);
        copy_str(c->ctype, sizeof c->ctype, r->content_type);
        c->body_len = r->body_len;
        if (r->body && r->body_len <= sizeof c->body)
            memcpy(c->body, r->body, r->body_len);
        c->n_headers = r->n_headers;
        c->ts = r->timestamp;
        c->status = r->status;
        c->before = r->before_consent;
        c->reject = r->after_reject;
        c->retried = r->visit_retried;
        c->step = r->step;
    }
    s->n_reqs++;
    return pw_assessor_add_request(s->p->as, r, err);
}

/* ---- the two runs ---- */

static int scan_direct(pipeline *p)
{
    pw_err err;
    for (size_t i = 0; i < N_PAGES; i++)
        if (pw_assessor_add_page(p->as, &session_pages[i], &err) != PW_OK)
            return 0;
    for (size_t i = 0; i < N_REQS; i++)
        if (pw_assessor_add_request(p->as, &session_requests[i], &err) != PW_OK)
            return 0;
    return pw_assessor_finish(p->as, &p->r, &err) == PW_OK;
}

/* Write the session as the browser scan's --har-out does (pages as they are emitted, then
 * their requests). */
static int write_har_order(const char *path, int requests_first)
{
    pw_err err;
    pw_har_writer *w = NULL;
    if (pw_har_writer_open(path, "test", &w, &err) != PW_OK)
        return 0;
    int ok = 1;
    for (size_t i = 0; ok && requests_first && i < N_REQS; i++)
        ok = pw_har_writer_add_request(w, &session_requests[i], &err) == PW_OK;
    for (size_t i = 0; ok && i < N_PAGES; i++)
        ok = pw_har_writer_add_page(w, &session_pages[i], &err) == PW_OK;
    for (size_t i = 0; ok && !requests_first && i < N_REQS; i++)
        ok = pw_har_writer_add_request(w, &session_requests[i], &err) == PW_OK;
    return pw_har_writer_close(w, &err) == PW_OK && ok;
}

static int write_har(const char *path)
{
    return write_har_order(path, 0);
}

static int scan_har(pipeline *p, seen *s, const char *path)
{
    pw_err err;
    memset(s, 0, sizeof *s);
    s->p = p;
    pw_capture_sink sink = {seen_page_cb, seen_req_cb, s, NULL};
    if (pw_har_read_file(path, &sink, &err) != PW_OK) {
        fprintf(stderr, "read %s: %s\n", path, err.msg);
        return 0;
    }
    return pw_assessor_finish(p->as, &p->r, &err) == PW_OK;
}

/* One line per finding, sorted: what must not change between the two runs. */
static int cmp_line(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static size_t finding_lines(const pw_scan_result *r, char (*out)[256], size_t cap)
{
    size_t n = r->n_findings < cap ? r->n_findings : cap;
    for (size_t i = 0; i < n; i++) {
        const pw_finding *f = pw_test_finding(r, i);
        snprintf(out[i], 256, "%s %s %s %s step=%s before=%d reject=%d n=%zu", f->rule_id,
                 pw_severity_name(f->severity), pw_hhs_context_name(f->context), f->page_url,
                 pw_step_name(f->step), f->before_consent, f->after_reject, f->occurrences);
    }
    qsort(out, n, sizeof *out, cmp_line);
    return n;
}

static size_t count_rule(const pw_scan_result *r, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += strcmp(pw_test_finding(r, i)->rule_id, rule) == 0;
    return n;
}

static char har_path[64];

static void make_har(void)
{
    snprintf(har_path, sizeof har_path, "/tmp/pw_har_rt_XXXXXX");
    int fd = mkstemp(har_path);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK(write_har(har_path));
}

/* Every request field the writer keeps comes back as it was. */
static void fields_round_trip(void)
{
    make_har();
    pipeline p;
    static seen s;
    CHECK(pipeline_open(&p));
    CHECK(scan_har(&p, &s, har_path));
    CHECK_INT(s.n_reqs, N_REQS);
    for (size_t i = 0; i < N_REQS && i < s.n_reqs; i++) {
        const pw_request *want = &session_requests[i];
        const seen_req *got = &s.req[i];
        CHECK_STR(got->method, want->method);
        CHECK_STR(got->url, want->url);
        CHECK_STR(got->page_url, want->page_url);
        CHECK_STR(got->frame_url, want->frame_url);
        CHECK_STR(got->rtype, want->resource_type);
        CHECK_STR(got->init, want->initiator);
        CHECK_STR(got->ctype, want->content_type ? want->content_type : "(null)");
        CHECK_INT(got->n_headers, want->n_headers);
        CHECK_INT(got->body_len, want->body_len);
        CHECK(got->body_len != want->body_len || !want->body_len ||
              memcmp(got->body, want->body, want->body_len) == 0);
        CHECK_INT(got->status, want->status);
        CHECK_INT(got->step, want->step);
        CHECK_INT(got->before, want->before_consent);
        CHECK_INT(got->reject, want->after_reject);
        CHECK_INT(got->retried, want->visit_retried);
        CHECK(got->ts > want->timestamp - 0.002 && got->ts < want->timestamp + 0.002);
    }
    pipeline_close(&p);
    unlink(har_path);
}

/* Pages: one per page written (the vendor's iframe document is no page), with their facts. */
static void pages_round_trip(void)
{
    make_har();
    pipeline p;
    static seen s;
    CHECK(pipeline_open(&p));
    CHECK(scan_har(&p, &s, har_path));
    CHECK_INT(s.n_pages, N_PAGES);
    for (size_t i = 0; i < N_PAGES && i < s.n_pages; i++) {
        const pw_page *want = &session_pages[i];
        CHECK_STR(s.page[i].url, want->url);
        CHECK_STR(s.page[i].title, want->title ? want->title : "(null)");
        CHECK_INT(s.page[i].login_form, want->has_login_form);
        CHECK_INT(s.page[i].after_login, want->after_login);
        CHECK_INT(s.page[i].session_cookie, want->has_session_cookie);
        CHECK(s.page[i].ts > want->timestamp - 0.002 && s.page[i].ts < want->timestamp + 0.002);
    }
    pipeline_close(&p);
    unlink(har_path);
}

/* Requests that reach the writer before their page (the sink does not order them) keep their
 * page: the same pages, and every request on its own page. */
static void requests_before_pages(void)
{
    snprintf(har_path, sizeof har_path, "/tmp/pw-har-rt-%d.har", (int)getpid());
    CHECK(write_har_order(har_path, 1));
    pipeline p;
    static seen s;
    CHECK(pipeline_open(&p));
    CHECK(scan_har(&p, &s, har_path));
    CHECK_INT(s.n_pages, N_PAGES);
    for (size_t i = 0; i < N_PAGES && i < s.n_pages; i++)
        CHECK_STR(s.page[i].url, session_pages[i].url);
    CHECK_INT(s.n_reqs, N_REQS);
    for (size_t i = 0; i < N_REQS && i < s.n_reqs; i++)
        CHECK_STR(s.req[i].page_url, session_requests[i].page_url);
    pipeline_close(&p);
    unlink(har_path);
}

/* The findings of the HAR are the findings of the session. */
static void findings_round_trip(void)
{
    make_har();
    pipeline direct, fromhar;
    static seen s;
    CHECK(pipeline_open(&direct) && scan_direct(&direct));
    CHECK(pipeline_open(&fromhar) && scan_har(&fromhar, &s, har_path));
    if (!direct.r || !fromhar.r)
        return;
    const pw_scan_result *a = direct.r, *b = fromhar.r;
    /* the session has what the round trip must keep */
    CHECK(count_rule(a, "PW-CONSENT") >= 2);
    CHECK(count_rule(a, "PW-BUTTON-TEXT") >= 1);
    CHECK(count_rule(a, "PW-FORM-FIELDS") >= 1);
    CHECK_INT(b->n_pages, a->n_pages);
    CHECK_INT(b->n_requests, a->n_requests);
    CHECK_INT(b->n_third_party, a->n_third_party);
    CHECK_INT(b->n_beacons, a->n_beacons);
    CHECK_INT(b->n_findings, a->n_findings);
    static char la[64][256], lb[64][256];
    size_t na = finding_lines(a, la, 64), nb = finding_lines(b, lb, 64);
    for (size_t i = 0; i < na || i < nb; i++) {
        const char *x = i < na ? la[i] : "(none)", *y = i < nb ? lb[i] : "(none)";
        CHECK_STR(y, x);
    }
    for (size_t i = 0; i < b->n_findings; i++)
        CHECK(strncmp(pw_test_finding(b, i)->page_url, SITE, strlen(SITE)) == 0);
    for (size_t i = 0; i < b->n_pages && i < a->n_pages; i++)
        CHECK_INT(b->page_contexts[i], a->page_contexts[i]);
    pipeline_close(&direct);
    pipeline_close(&fromhar);
    unlink(har_path);
}

/* The writer keeps Chrome's shape for what it knows: an initiator that is a type is written as
 * the type, one that is a URL as the URL (never a made-up type). */
static void writer_initiator_shape(void)
{
    make_har();
    FILE *f = fopen(har_path, "rb");
    CHECK(f != NULL);
    static char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    CHECK(strstr(text, "\"_initiator\":{\"type\":\"other\"}") != NULL);
    CHECK(strstr(text, "\"_initiator\":{\"url\":\"https://connect.facebook.net/") != NULL);
    CHECK(strstr(text, "\"url\":\"other\"") == NULL);
    CHECK(strstr(text, "\"encoding\":\"base64\"") != NULL); /* the binary body */
    unlink(har_path);
}

/* What the capture could not observe travels in log._phiwall.gaps: a gap handed to the tee is
 * forwarded at once and written; the reader hands each back, every field the same, its page list
 * too (earlier versions wrote none: a gap on several pages came back with its first alone). */
typedef struct gaps_seen {
    size_t n;
    pw_capture_gap v[4];
    char text[4][6][128];
    char pages[4][3][128];
    const char *page_ptrs[4][3];
} gaps_seen;

static void keep_gap(void *ctx, const pw_capture_gap *g)
{
    gaps_seen *s = ctx;
    if (s->n == 4)
        return;
    pw_capture_gap *k = &s->v[s->n];
    *k = *g;
    const char *src[6] = {g->url, g->page_url, g->error, g->tracker_id, g->tracker, NULL};
    const char **dst[6] = {&k->url, &k->page_url, &k->error, &k->tracker_id, &k->tracker, NULL};
    for (size_t i = 0; i < 5; i++)
        if (src[i]) {
            copy_str(s->text[s->n][i], sizeof s->text[s->n][i], src[i]);
            *dst[i] = s->text[s->n][i];
        }
    for (size_t i = 0; i < g->n_page_urls && i < 3; i++) {
        copy_str(s->pages[s->n][i], sizeof s->pages[s->n][i], g->page_urls[i]);
        s->page_ptrs[s->n][i] = s->pages[s->n][i];
    }
    k->page_urls = g->n_page_urls ? s->page_ptrs[s->n] : NULL;
    s->n++;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void gaps_round_trip(void)
{
    const pw_capture_gap gaps[] = {
        {.kind = PW_GAP_PAGE, .url = SITE "/never", .error = "no load event within 3 s"},
        {.kind = PW_GAP_LOGIN, .url = SITE "/login", .error = "still a password field", .pages = 1},
        {.kind = PW_GAP_SCRIPT,
         .url = "https://connect.facebook.net/en_US/fbevents.js",
         .page_url = APPT,
         .error = "net::ERR_BLOCKED_BY_CLIENT \"csp\"",
         .tracker_id = "meta-pixel",
         .tracker = "Meta Pixel",
         .pages = 3},
        {.kind = PW_GAP_SCRIPT,
         .url = "https://www.googletagmanager.com/gtm.js?id=GTM-ABC1234",
         .page_url = SITE "/",
         .error = "HTTP 404",
         .pages = 5,
         .page_urls = (const char *const[]){SITE "/", APPT, SITE "/careers"},
         .n_page_urls = 3,
         .more_pages = 1,
         .n_more_pages = 2},
    };
    make_har();
    pw_err err;
    pw_har_writer *w = NULL;
    CHECK(pw_har_writer_open(har_path, "test", &w, &err) == PW_OK);
    gaps_seen fwd = {0};
    pw_capture_sink next = {NULL, NULL, &fwd, keep_gap};
    pw_har_tee tee = {w, &next};
    pw_capture_sink sink = pw_har_tee_sink(&tee);
    CHECK(sink.on_page(sink.ctx, &session_pages[0], &err) == PW_OK);
    for (size_t i = 0; i < 4; i++)
        sink.on_gap(sink.ctx, &gaps[i]);
    CHECK(sink.on_request(sink.ctx, &session_requests[0], &err) == PW_OK);
    CHECK(pw_har_writer_close(w, &err) == PW_OK);
    CHECK_INT(fwd.n, 4);
    gaps_seen back = {0};
    pw_capture_sink reader = {NULL, NULL, &back, keep_gap};
    CHECK(pw_har_read_file(har_path, &reader, &err) == PW_OK);
    CHECK_INT(back.n, 4);
    for (size_t i = 0; i < back.n && i < 4; i++) {
        const pw_capture_gap *a = &gaps[i], *b = &back.v[i];
        CHECK(a->kind == b->kind);
        CHECK(same_str(a->url, b->url) && same_str(a->page_url, b->page_url));
        CHECK(same_str(a->error, b->error) && same_str(a->tracker, b->tracker));
        CHECK(same_str(a->tracker_id, b->tracker_id));
        CHECK_INT(b->pages, a->pages ? a->pages : 1);
        CHECK_INT(b->n_page_urls, a->n_page_urls);
        for (size_t k = 0; k < a->n_page_urls && k < b->n_page_urls; k++)
            CHECK(same_str(a->page_urls[k], b->page_urls[k]));
        CHECK_INT(b->more_pages, a->more_pages);
        CHECK_INT(b->n_more_pages, a->n_more_pages);
    }
    unlink(har_path);
}

PW_TEST_MAIN(PW_TEST(fields_round_trip), PW_TEST(pages_round_trip), PW_TEST(findings_round_trip),
             PW_TEST(writer_initiator_shape), PW_TEST(requests_before_pages),
             PW_TEST(gaps_round_trip))
