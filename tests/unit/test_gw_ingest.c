/* test_gw_ingest.c — the HTTP front in-process on 127.0.0.1 (port 0) driven with libcurl:
 * routes, CORS, size limits, malformed bodies naming the field, rate limit, what is queued. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "gw_http.h"
#include "gw_test_phi.h"
#include "gw_test_sink.h"
#include "gw_time.h"
#include "pw_test.h"

static const char *const yaml = "site:\n"
                                "  origins: [https://www.example-hospital.org]\n"
                                "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                "ingest:\n"
                                "  max_body: 4096\n"
                                "  rate_limit: {per_second: 1, burst: %d}\n"
                                "  trust_proxy: %s\n"
                                "destinations:\n"
                                "  meta:\n"
                                "    type: meta\n"
                                "    pixel_id: \"42\"\n"
                                "    access_token_env: GW_TEST_SITE_KEY\n"
                                "    events: {page_view: PageView, appointment_request: Schedule}\n"
                                "    allow_params: [note]\n"
                                "    page_url: origin\n"
                                "    client_ip: truncate\n" /* Meta needs one user_data key */
                                "    phi: redact\n";

static pw_status borrow(void *ctx, pw_gw_phi *out, void **token, pw_err *err)
{
    *out = gw_test_phi;
    *token = NULL;
    return PW_OK;
}
static void give_back(void *ctx, void *token)
{
}

typedef struct server {
    pw_gw_policy_holder holder;
    gw_test_sink sink;
    pw_gw_http *http;
    char base[64];
} server;

static int conns_per_ip;    /* pw_gw_http_config.conns_per_ip of the next start (0: default) */
static unsigned max_conns;  /* pw_gw_http_config.max_conns of the next start (0: default) */
static int proxy_untrusted; /* the next start's policy trusts no proxy (the cap is per address) */

/* The rate limiter's clock: stands still unless a test steps it (microseconds). */
static atomic_llong clock_us = 1000000000;

static double test_clock(void *ctx)
{
    (void)ctx;
    return (double)atomic_load(&clock_us) / 1e6;
}

static int start_with(server *s, int burst, unsigned conn_kib)
{
    char text[2048];
    snprintf(text, sizeof text, yaml, burst, proxy_untrusted ? "false" : "true");
    setenv("GW_TEST_SITE_KEY", "0123456789abcdef-site-key", 1);
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    if (pw_gw_policy_parse("t.yaml", text, strlen(text), NULL, &p, &err) != PW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    pw_gw_holder_init(&s->holder, p, &err);
    gw_test_sink_init(&s->sink);
    pw_gw_http_config cfg = {.host = "127.0.0.1",
                             .port = 0,
                             .threads = 2,
                             .conn_kib = conn_kib,
                             .conns_per_ip = conns_per_ip,
                             .max_conns = max_conns,
                             .policies = &s->holder,
                             .phi = {borrow, give_back, NULL},
                             .sink = gw_test_sink_bind(&s->sink),
                             .clock_s = test_clock};
    if (pw_gw_http_start(&cfg, &s->http, &err) != PW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", pw_gw_http_port(s->http));
    return 1;
}

static int start(server *s, int burst)
{
    return start_with(s, burst, 0);
}

static void stop(server *s)
{
    pw_gw_http_stop(s->http);
    pw_gw_holder_destroy(&s->holder);
    gw_test_sink_clear(&s->sink);
}

static const char *extra_header; /* one more request header, or NULL */

typedef struct reply {
    long status;
    char body[8192];
    size_t len;
    char headers[4096];
    size_t hlen;
} reply;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = sz * n, room = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, len < room ? len : room);
    r->len += len < room ? len : room;
    r->body[r->len] = '\0';
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = sz * n, room = sizeof r->headers - 1 - r->hlen;
    memcpy(r->headers + r->hlen, p, len < room ? len : room);
    r->hlen += len < room ? len : room;
    r->headers[r->hlen] = '\0';
    return len;
}

/* One request; body NULL for GET (or method given). */
static reply *request(server *s, const char *method, const char *path, const char *body, size_t len,
                      const char *origin, const char *ctype)
{
    static reply r;
    memset(&r, 0, sizeof r);
    CURL *c = curl_easy_init();
    char url[256], oh[256], th[128];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct curl_slist *h = NULL;
    if (origin) {
        snprintf(oh, sizeof oh, "Origin: %s", origin);
        h = curl_slist_append(h, oh);
    }
    snprintf(th, sizeof th, "Content-Type: %s", ctype ? ctype : "text/plain");
    h = curl_slist_append(h, th);
    h = curl_slist_append(h, "User-Agent: test-agent/1.0");
    if (extra_header)
        h = curl_slist_append(h, extra_header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    else
        fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return &r;
}

static reply *post(server *s, const char *body)
{
    return request(s, "POST", "/e", body, strlen(body), NULL, NULL);
}

/* With the visitor's consent: Meta requires consent.ads by default (requires_consent). */
#define EV(id, name)                                  \
    "{\"event_id\":\"" id "\",\"name\":\"" name "\"," \
    "\"consent\":{\"ads\":true,\"analytics\":true}"
#define ID1 "11111111-2222-4333-8444-555555555555"
#define ID2 "11111111-2222-4333-8444-666666666666"

static void test_routes(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    reply *r = request(&s, "GET", "/healthz", NULL, 0, NULL, NULL);
    CHECK_INT(r->status, 200);
    CHECK_STR(r->body, "{\"status\":\"ok\"}");
    r = request(&s, "GET", "/phiwall.js", NULL, 0, NULL, NULL);
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->body, "sendBeacon") != NULL);
    CHECK(strstr(r->headers, "application/javascript") != NULL);
    CHECK(r->len == pw_gw_tag_js_len || r->len == sizeof r->body - 1);
    r = request(&s, "GET", "/nope", NULL, 0, NULL, NULL);
    CHECK_INT(r->status, 404);
    CHECK_STR(r->body, "{\"error\":\"path: not found\"}");
    r = request(&s, "GET", "/e", NULL, 0, NULL, NULL);
    CHECK_INT(r->status, 405);
    r = post(
        &s,
        EV(ID1, "appointment_request") ",\"page_url\":\"https://www.example-hospital.org/x?q=1\"}");
    CHECK_INT(r->status, 200);
    CHECK_STR(r->body, "{\"received\":1,\"accepted\":1,\"queued\":1}");
    /* The request's duration is counted when libmicrohttpd reports it completed, after the
     * answer has gone out: under load the /metrics request can come first. */
    static const char count1[] = "phiwall_gateway_request_duration_seconds_count 1\n";
    int64_t until = pw_gw_mono_ms() + 5000;
    do
        r = request(&s, "GET", "/metrics", NULL, 0, NULL, NULL);
    while (!strstr(r->body, count1) && pw_gw_mono_ms() < until && usleep(2000) == 0);
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->body, "phiwall_gateway_events_total{outcome=\"accepted\"} 1\n") != NULL);
    CHECK(strstr(r->body, count1) != NULL);
    stop(&s);
}

static void test_queued_rows_and_audit(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    const char *body = "{\"events\":[" EV(
        ID1, "appointment_request") ",\"page_url\":\"https://www.example-hospital.org/"
                                    "cancer?mrn=12345678\","
                                    "\"params\":{\"note\":\"about hiv\",\"secret\":\"x\"}}," EV(
                                        ID2, "diabetes_quiz") "}]}";
    reply *r = post(&s, body);
    CHECK_INT(r->status, 200);
    CHECK_STR(r->body, "{\"received\":2,\"accepted\":1,\"queued\":1}");
    CHECK_INT(s.sink.n_rows, 1);
    if (s.sink.n_rows == 1) {
        const char *row = s.sink.rows[0];
        CHECK(strncmp(row, "meta\t" ID1 "\t{\"event_name\":\"Schedule\"", 47) == 0);
        CHECK(strstr(row, "\"note\":\"about [HEALTH]\"") != NULL);
        CHECK(strstr(row, "\"event_source_url\":\"https://www.example-hospital.org/\"") != NULL);
        CHECK(strstr(row, "12345678") == NULL);
        CHECK(strstr(row, "cancer") == NULL);
        CHECK(strstr(row, "secret") == NULL);
        CHECK(strstr(row, "127.0.0.1") == NULL); /* client_ip: truncate (to 127.0.0.0) */
        CHECK(strstr(row, "test-agent") == NULL);
    }
    /* accepted + queued for ID1, accepted + dropped for ID2; no raw name in the audit. */
    CHECK_INT(s.sink.n_audits, 4);
    if (s.sink.n_audits == 4) {
        CHECK(strncmp(s.sink.audits[1], "2\tmeta\tSchedule\tevents.appointment_request\t{", 44) ==
              0);
        CHECK_STR(s.sink.audits[3], "1\tmeta\t-\tdeny_by_default: event name not in events\t-");
        for (size_t i = 0; i < s.sink.n_audits; i++)
            CHECK(strstr(s.sink.audits[i], "diabetes") == NULL);
    }
    /* The same event again: the same event_id reaches the spool (which keeps the first). */
    r = post(&s, EV(ID1, "appointment_request") "}");
    CHECK_INT(r->status, 200);
    CHECK(s.sink.n_rows == 2 && strstr(s.sink.rows[1], ID1) != NULL);
    stop(&s);
}

static void test_bad_bodies(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    struct {
        const char *body;
        int status;
        const char *error;
    } cases[] = {
        {"", 400, "{\"error\":\"body: empty\"}"},
        {"{\"event_id\":", 400, NULL},
        /* A batch is answered per event: its valid events are queued, the others listed. */
        {"[" EV(ID1, "page_view") "}," EV(ID2, "page_view") ",\"name\":5}]", 200,
         "{\"received\":2,\"accepted\":1,\"queued\":1,\"rejected\":[{\"index\":1,"
         "\"error\":\"events[1]: duplicate key 'name'\"}]}"},
        {"[" EV(ID1, "page_view") "},{\"event_id\":\"" ID2 "\",\"name\":7}]", 200,
         "{\"received\":2,\"accepted\":1,\"queued\":1,\"rejected\":[{\"index\":1,"
         "\"error\":\"events[1].name: must be a string\"}]}"},
        {"{\"events\":[" EV(ID1, "page_view") ",\"params\":{\"a\":{\"b\":1}}}]}", 200,
         "{\"received\":1,\"accepted\":0,\"queued\":0,\"rejected\":[{\"index\":0,"
         "\"error\":\"events[0].params.a: must be a string, number or boolean\"}]}"},
        {"{\"name\":\"page_view\"}", 400, "{\"error\":\"event.event_id: required\"}"},
        {"{\"event_id\":\"not-a-uuid\",\"name\":\"x\"}", 400,
         "{\"error\":\"event.event_id: must be a UUID string\"}"},
        {"{\"event_id\":\"" ID1 "\",\"name\":\"page_view\",\"consent\":{\"ads\":\"yes\"}}", 400,
         "{\"error\":\"event.consent.ads: must be a boolean\"}"},
        /* {"ads":true,"ads":false} is no consent to JSON.parse (the last wins): refused. */
        {"{\"event_id\":\"" ID1 "\",\"name\":\"page_view\",\"consent\":{\"ads\":true,"
         "\"ads\":false}}",
         400, "{\"error\":\"event.consent.ads: duplicate key\"}"},
        {"{\"event_id\":\"" ID1 "\",\"name\":\"page_view\",\"consent\":{\"analytics\":true,"
         "\"x\":1,\"analytics\":false}}",
         400, "{\"error\":\"event.consent.analytics: duplicate key\"}"},
        {"{\"event_id\":\"" ID1 "\",\"name\":\"page_view\",\"consent\":{\"x\":1,\"x\":2}}", 400,
         "{\"error\":\"event.consent: duplicate key\"}"},
        {EV(ID1, "page_view") ",\"time\":-4}", 400,
         "{\"error\":\"event.time: must be a non-negative integer (ms since epoch)\"}"},
        {EV(ID1, "page_view") ",\"user\":{\"email\":5}}", 400,
         "{\"error\":\"event.user.email: must be a string\"}"},
        /* U+0000 would cut the string for every later stage: refused, not truncated. */
        {EV(ID1, "page_view") ",\"params\":{\"currency\":\"U\\u0000SD\"}}", 400,
         "{\"error\":\"event.params.currency: must not contain U+0000\"}"},
        {EV(ID1, "page_view") ",\"page_title\":\"ok\\u0000HIV\"}", 400,
         "{\"error\":\"event.page_title: must not contain U+0000\"}"},
        /* ...in a member's name too: "val\u0000ue" would be sent as "val", and a name cut to one
         * the gateway reads ("ads\u0000x" as consent "ads") names nothing */
        {EV(ID1, "page_view") ",\"params\":{\"val\\u0000ue\":1}}", 400,
         "{\"error\":\"event.params.val: its name must not contain U+0000\"}"},
        {"{\"event_id\":\"" ID1 "\",\"name\":\"page_view\",\"consent\":{\"ads\\u0000x\":\"yes\"}}",
         200, "{\"received\":1,\"accepted\":0,\"queued\":0}"}, /* no consent: dropped */
        {"{\"event_id\":\"" ID1 "\\u0000x\",\"name\":\"page_view\"}", 400,
         "{\"error\":\"event.event_id: must be a UUID string\"}"},
        /* A number no double holds would be forwarded as written (Meta refuses the batch). */
        {EV(ID1, "page_view") ",\"params\":{\"value\":1e400}}", 400,
         "{\"error\":\"event.params.value: must be a finite number\"}"},
        {EV(ID1, "page_view") ",\"params\":{\"value\":-2E+999}}", 400,
         "{\"error\":\"event.params.value: must be a finite number\"}"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]",
         400, "{\"error\":\"body: byte 16: nesting deeper than 16\"}"},
        {"[]", 400, "{\"error\":\"events: must not be empty\"}"},
        {"\"just a string\"", 400, "{\"error\":\"event: must be an object\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reply *r = request(&s, "POST", "/e", cases[i].body, strlen(cases[i].body), NULL, NULL);
        if (r->status != cases[i].status)
            fprintf(stderr, "  case %zu: %s\n", i, r->body);
        CHECK_INT(r->status, cases[i].status);
        if (cases[i].error)
            CHECK_STR(r->body, cases[i].error);
        else
            CHECK(strncmp(r->body, "{\"error\":\"", 10) == 0);
    }
    CHECK_INT(s.sink.n_rows, 2); /* the valid event of each of the first two batches */
    reply *r = request(&s, "POST", "/e", "{}", 2, NULL, "application/x-www-form-urlencoded");
    CHECK_INT(r->status, 415);
    /* Embedded NUL, invalid UTF-8 and a control byte: answered, never a crash. */
    r = request(&s, "POST", "/e", "{\"a\":\"\0\"}", 9, NULL, NULL);
    CHECK_INT(r->status, 400);
    r = request(&s, "POST", "/e", EV(ID1, "\xff\xfe") "}", strlen(EV(ID1, "\xff\xfe") "}"), NULL,
                NULL);
    CHECK_INT(r->status, 400);
    stop(&s);
}

/* /metrics counts a batch's invalid events as rejected, its valid ones as accepted. */
static void test_batch_metrics(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    reply *r = post(&s, "[" EV(ID1, "page_view") "}," EV(ID2, "page_view") "},{\"name\":5}]");
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->body,
                 "\"rejected\":[{\"index\":2,\"error\":\"events[2].event_id: required\"}]") !=
          NULL);
    r = request(&s, "GET", "/metrics", NULL, 0, NULL, NULL);
    CHECK(strstr(r->body, "phiwall_gateway_events_total{outcome=\"in\"} 3\n") != NULL);
    CHECK(strstr(r->body, "phiwall_gateway_events_total{outcome=\"accepted\"} 2\n") != NULL);
    CHECK(strstr(r->body, "phiwall_gateway_events_total{outcome=\"rejected\"} 1\n") != NULL);
    CHECK_INT(s.sink.n_audits, 5); /* accepted + queued twice, and the rejected event dropped */
    if (s.sink.n_audits == 5)
        CHECK_STR(s.sink.audits[4], "1\t-\t-\tingest: invalid event\t-");
    stop(&s);
}

static void test_size_limit(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    size_t n = 100000;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    memcpy(big, "{\"x\":\"", 6);
    big[n - 2] = '"';
    big[n - 1] = '}';
    big[n] = '\0';
    reply *r = request(&s, "POST", "/e", big, n, NULL, NULL);
    CHECK_INT(r->status, 413);
    CHECK_STR(r->body, "{\"error\":\"body: larger than ingest.max_body\"}");
    free(big);
    /* The server still answers after refusing. */
    r = request(&s, "GET", "/healthz", NULL, 0, NULL, NULL);
    CHECK_INT(r->status, 200);
    stop(&s);
}

/* The connection's 16 KiB of memory holds ~7 KB of request headers (a cookie-laden request is
 * served); beyond, libmicrohttpd answers 431 and the gateway goes on serving. */
static void test_big_headers(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    size_t big = 20000;
    char *cookie = malloc(big + 1);
    memcpy(cookie, "Cookie: a=", 10);
    memset(cookie + 10, 'c', big - 10);
    const char *body = EV(ID1, "page_view") ",\"params\":{\"note\":\"hello\"}}";
    cookie[7000] = '\0';
    extra_header = cookie;
    reply *r = post(&s, body);
    CHECK_INT(r->status, 200);
    CHECK_STR(r->body, "{\"received\":1,\"accepted\":1,\"queued\":1}");
    CHECK_INT(s.sink.n_rows, 1);
    cookie[7000] = 'c';
    cookie[big] = '\0';
    CHECK_INT(post(&s, body)->status, 431);
    extra_header = NULL;
    CHECK_INT(post(&s, body)->status, 200);
    stop(&s);

    /* --header-kib 48 (conn_kib) serves the 20 KB cookie the default refused. */
    if (!start_with(&s, 1000, 48)) {
        CHECK(0);
        free(cookie);
        return;
    }
    extra_header = cookie;
    r = post(&s, body);
    CHECK_INT(r->status, 200);
    CHECK_INT(s.sink.n_rows, 1);
    extra_header = NULL;
    free(cookie);
    stop(&s);
}

static void test_cors(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    const char *site = "https://www.example-hospital.org";
    reply *r = request(&s, "OPTIONS", "/e", NULL, 0, site, NULL);
    CHECK_INT(r->status, 204);
    CHECK(strstr(r->headers, "Access-Control-Allow-Origin: https://www.example-hospital.org\r\n"));
    CHECK(strstr(r->headers, "Access-Control-Allow-Methods: POST, OPTIONS\r\n"));
    r = request(&s, "OPTIONS", "/e", NULL, 0, "https://evil.example", NULL);
    CHECK_INT(r->status, 403);
    CHECK(strstr(r->headers, "Access-Control-Allow-Origin") == NULL);
    const char *ev = EV(ID1, "page_view") "}";
    r = request(&s, "POST", "/e", ev, strlen(ev), site, NULL);
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->headers, "Access-Control-Allow-Origin: https://www.example-hospital.org\r\n"));
    r = request(&s, "POST", "/e", ev, strlen(ev), "https://evil.example", NULL);
    CHECK_INT(r->status, 403);
    CHECK_STR(r->body, "{\"error\":\"origin: not one of site.origins\"}");
    /* readable by the refused origin (the tag sees a final 403, not a CORS failure to retry),
     * which learns nothing more: no credentials, the fixed body */
    CHECK(strstr(r->headers, "Access-Control-Allow-Origin: https://evil.example\r\n"));
    CHECK(strstr(r->headers, "Access-Control-Allow-Credentials") == NULL);
    r = request(&s, "POST", "/e", ev, strlen(ev), "https://evil.example/x?a=\"b", NULL);
    CHECK_INT(r->status, 403);
    CHECK(strstr(r->headers, "Access-Control-Allow-Origin") == NULL); /* not an origin */
    stop(&s);
}

static void test_rate_limit(void)
{
    server s;
    if (!start(&s, 3)) {
        CHECK(0);
        return;
    }
    const char *ev = EV(ID1, "page_view") "}";
    int ok = 0, limited = 0;
    for (int i = 0; i < 6; i++) {
        reply *r = post(&s, ev);
        ok += r->status == 200;
        if (r->status == 429) {
            limited++;
            CHECK(strstr(r->headers, "Retry-After: 1\r\n") != NULL);
        }
    }
    CHECK_INT(ok, 3); /* burst 3; the clock stands still: no refill */
    CHECK_INT(limited, 3);
    atomic_fetch_add(&clock_us, 1000000); /* a second later: one token (1/s) */
    CHECK_INT(post(&s, ev)->status, 200);
    CHECK_INT(post(&s, ev)->status, 429);
    atomic_fetch_add(&clock_us, 500000); /* half a token */
    CHECK_INT(post(&s, ev)->status, 429);
    atomic_fetch_add(&clock_us, 500000);
    CHECK_INT(post(&s, ev)->status, 200);
    /* Behind a proxy (trust_proxy): each client has its own bucket. */
    extra_header = "X-Forwarded-For: 203.0.113.50, 198.51.100.7";
    ok = 0;
    for (int i = 0; i < 3; i++)
        ok += post(&s, ev)->status == 200;
    CHECK_INT(ok, 3);
    CHECK_INT(post(&s, ev)->status, 429);
    extra_header = "X-Forwarded-For: 198.51.100.8";
    CHECK_INT(post(&s, ev)->status, 200);
    /* A proxy that writes the client's port too (Azure Application Gateway): the address is the
     * client, whatever the port (it fell back to the proxy's exhausted bucket). */
    static const char *const with_port[] = {
        "X-Forwarded-For: 198.51.100.20:4711", "X-Forwarded-For: 10.0.0.1, 198.51.100.20:4712",
        "X-Forwarded-For: 198.51.100.20:1",    "X-Forwarded-For: 198.51.100.20:2",
        "X-Forwarded-For: [2001:db8::7]:4711", "X-Forwarded-For: [2001:db8::7]",
        "X-Forwarded-For: [2001:db8::7]:80",   "X-Forwarded-For: [2001:db8::7]:81"};
    for (int i = 0; i < 8; i++) { /* burst 3: the fourth of each client is refused */
        extra_header = with_port[i];
        CHECK_INT(post(&s, ev)->status, i % 4 == 3 ? 429 : 200);
    }
    extra_header = NULL;
    stop(&s);
}

/* Behind the proxy (trust_proxy), a last X-Forwarded-For entry that is no address (RFC 7239's
 * "unknown", an obfuscated "_hidden") gives no client IP: the proxy's address was sent upstream
 * as every such visitor's client_ip (here 127.0.0.1, truncated 127.0.0.0). Their rate-limit
 * bucket is the proxy's (with the requests that came without the header, whose peer is taken
 * as the client), not the identified clients'. */
static void test_xff_unknown(void)
{
    server s;
    if (!start(&s, 2)) {
        CHECK(0);
        return;
    }
    static const char *const none[] = {"X-Forwarded-For: unknown",
                                       "X-Forwarded-For: 203.0.113.9, unknown",
                                       "X-Forwarded-For: 198.51.100.7, _hidden", NULL};
    static const char *const ids[] = {
        "11111111-2222-4333-8444-000000000001", "11111111-2222-4333-8444-000000000002",
        "11111111-2222-4333-8444-000000000003", "11111111-2222-4333-8444-000000000004"};
    char ev[512];
    for (int i = 0; i < 4; i++) {
        extra_header = none[i];
        snprintf(ev, sizeof ev,
                 "{\"event_id\":\"%s\",\"name\":\"page_view\","
                 "\"consent\":{\"ads\":true,\"analytics\":true}}",
                 ids[i]);
        reply *r = post(&s, ev);
        CHECK_INT(r->status, i < 2 ? 200 : 429); /* one bucket of 2: the proxy's */
    }
    /* Meta needs a user_data key and this policy has no other: nothing is queued (before, two
     * rows carried the proxy's 127.0.0.0 as the visitors' client_ip_address). */
    CHECK_INT(s.sink.n_rows, 0);
    for (size_t i = 0; i < s.sink.n_rows; i++)
        CHECK(strstr(s.sink.rows[i], "127.0.0") == NULL);
    extra_header = "X-Forwarded-For: unknown, 198.51.100.8"; /* a client: its own bucket, its IP */
    snprintf(ev, sizeof ev,
             "{\"event_id\":\"%s\",\"name\":\"page_view\","
             "\"consent\":{\"ads\":true,\"analytics\":true}}",
             "11111111-2222-4333-8444-000000000005");
    CHECK_INT(post(&s, ev)->status, 200);
    CHECK(s.sink.n_rows == 1 &&
          strstr(s.sink.rows[0], "\"client_ip_address\":\"198.51.100.0\"") != NULL);
    extra_header = NULL;
    stop(&s);
}

#define WAIT_MS 60000 /* a deadline for what the test waits for: only a failing test reaches it */

/* The server's first line on fd ("HTTP/1.1 100 Continue"…) into line, 1; 0 if none came within
 * WAIT_MS. */
static int read_status_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS; n + 1 < cap;) {
        int left = (int)(until - pw_gw_mono_ms());
        if (left <= 0 || poll(&pfd, 1, left) != 1 || recv(fd, line + n, 1, 0) != 1)
            return 0;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return 1;
}

/* A connection to the server with a POST /e whose headers (X-Forwarded-For: xff) are sent and
 * whose body is not: a request in progress, -1 on failure. Returns once the server has read
 * the headers and counted the request: it asked for the body (Expect: 100-continue, answered
 * after the headers were handled). Before, the test could not know when the server read them,
 * and a post of its own read first took the second place (the held request was refused). */
static int hold_request(server *s, const char *xff)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(pw_gw_http_port(s->http))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char head[256], line[128];
    int n = snprintf(head, sizeof head,
                     "POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     "X-Forwarded-For: %s\r\nContent-Length: 100\r\n"
                     "Expect: 100-continue\r\n\r\n",
                     xff);
    if (send(fd, head, (size_t)n, 0) != n || !read_status_line(fd, line, sizeof line) ||
        strncmp(line, "HTTP/1.1 100 ", 13) != 0 || !read_status_line(fd, line, sizeof line) ||
        strcmp(line, "\r") != 0 || send(fd, "{", 1, 0) != 1) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send raw request text on a new connection; the status code of the answer (0: none). */
static int raw_status(server *s, const char *text, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(pw_gw_http_port(s->http))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    char line[128];
    int code = 0;
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        send(fd, text, len, MSG_NOSIGNAL) == (ssize_t)len &&
        read_status_line(fd, line, sizeof line))
        sscanf(line, "HTTP/1.%*d %d", &code);
    if (fd >= 0)
        close(fd);
    return code;
}

/* phiwall_gateway_requests_total{status="cls"} once it reaches want (polled: the server may
 * count an answer of libmicrohttpd's just after the client read it); -1 when absent. */
static long long requests_total(server *s, const char *cls, long long want)
{
    char name[96];
    snprintf(name, sizeof name, "phiwall_gateway_requests_total{status=\"%s\"} ", cls);
    long long v = -1;
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS; pw_gw_mono_ms() < until; usleep(2000)) {
        reply *r = request(s, "GET", "/metrics", NULL, 0, NULL, NULL);
        const char *p = strstr(r->body, name);
        v = p ? atoll(p + strlen(name)) : -1;
        if (v >= want)
            break;
    }
    return v;
}

/* Requests libmicrohttpd answers itself (a chunk size that is not hexadecimal: 400; headers beyond
 * the connection's memory: 431), are counted in phiwall_gateway_requests_total like the gateway's
 * own answers (before, /metrics did not show them at all). */
static void test_early_answers_counted(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    long long bad = requests_total(&s, "400", 0), other = requests_total(&s, "4xx", 0);
    CHECK(bad >= 0 && other >= 0);
    static const char bad_header[] = "POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n\r\n"; /* not hex */
    CHECK_INT(raw_status(&s, bad_header, sizeof bad_header - 1), 400);
    CHECK_INT(requests_total(&s, "400", bad + 1), bad + 1);
    size_t big = 20000;
    char *req = malloc(big + 64);
    int n = snprintf(req, 64, "GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: a=");
    memset(req + n, 'c', big);
    memcpy(req + n + big, "\r\n\r\n", 4);
    CHECK_INT(raw_status(&s, req, (size_t)n + big + 4), 431);
    free(req);
    CHECK_INT(requests_total(&s, "4xx", other + 1), other + 1);
    CHECK_INT(requests_total(&s, "400", bad + 1), bad + 1);
    stop(&s);
}

/* Behind the proxy (trust_proxy) every connection is the proxy's, so --conns-per-ip counts each
 * proxy-reported client's requests in progress instead: with a cap of 2, a client whose two
 * bodies are still coming is answered 429 for a third (it was served: one client could hold
 * every connection of a proxy that streams bodies through); another client is served; once
 * the two end, the first is served again. Every 429 is counted in /metrics.
 * The server sees the held requests close on its own threads, at a moment the test cannot know:
 * it posts until served (up to WAIT_MS), and a post made before the server saw the close is
 * refused and counted, so the metric is compared with the 429s the test received. */
static void test_proxied_cap(void)
{
    server s;
    conns_per_ip = 2;
    int ok = start(&s, 1000);
    conns_per_ip = 0;
    if (!ok) {
        CHECK(0);
        return;
    }
    int held[2] = {hold_request(&s, "198.51.100.60"), hold_request(&s, "198.51.100.60")};
    CHECK(held[0] >= 0 && held[1] >= 0);
    const char *ev = EV(ID1, "page_view") "}";
    extra_header = "X-Forwarded-For: 198.51.100.60";
    reply *r = post(&s, ev);
    CHECK_INT(r->status, 429);
    CHECK_STR(r->body, "{\"error\":\"connections: too many requests in progress from this "
                       "address\"}");
    int refused = 1;
    extra_header = "X-Forwarded-For: 198.51.100.61";
    CHECK_INT(post(&s, ev)->status, 200);
    for (int i = 0; i < 2; i++)
        if (held[i] >= 0)
            close(held[i]);
    extra_header = "X-Forwarded-For: 198.51.100.60";
    int status = 0;
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS; status != 200 && pw_gw_mono_ms() < until;) {
        usleep(20 * 1000);
        r = post(&s, ev);
        status = (int)r->status;
        refused += status == 429;
        CHECK(status == 200 || strstr(r->body, "connections:") != NULL);
    }
    CHECK_INT(status, 200);
    extra_header = NULL;
    r = request(&s, "GET", "/metrics", NULL, 0, NULL, NULL);
    char want[96];
    snprintf(want, sizeof want, "\nphiwall_gateway_connections_refused_total %d\n", refused);
    CHECK(strstr(r->body, want) != NULL);
    stop(&s);
}

/* An IPv6 client's bucket is its /64: the 2^64 addresses of one network are one client (each
 * had a full bucket); another /64 has its own; ::ffff:a.b.c.d is the IPv4 client a.b.c.d. */
static void test_rate_limit_ipv6(void)
{
    pw_gw_ratelimit *rl = pw_gw_ratelimit_new();
    CHECK(rl != NULL);
    if (!rl)
        return;
    CHECK(pw_gw_ratelimit_take(rl, "2001:db8:1:2::1", 0.001, 2));
    CHECK(pw_gw_ratelimit_take(rl, "2001:db8:1:2::2", 0.001, 2));
    CHECK(!pw_gw_ratelimit_take(rl, "2001:db8:1:2:ffff::3", 0.001, 2));
    CHECK(pw_gw_ratelimit_take(rl, "2001:db8:1:3::1", 0.001, 2));
    CHECK(pw_gw_ratelimit_take(rl, "198.51.100.9", 0.001, 1));
    CHECK(!pw_gw_ratelimit_take(rl, "::ffff:198.51.100.9", 0.001, 1));
    pw_gw_ratelimit_free(rl);
}

static void test_spool_full_is_503(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    s.sink.fail_put = 1;
    reply *r = post(&s, EV(ID1, "page_view") "}");
    CHECK_INT(r->status, 503);
    CHECK_STR(r->body, "{\"error\":\"spool: full, retry later\"}");
    CHECK(strstr(r->headers, "Retry-After: 5\r\n") != NULL);
    CHECK_INT(s.sink.n_audits, 0); /* nothing acknowledged, nothing audited as queued */
    stop(&s);
}

static void test_policy_swap(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    const char *y2 = "destinations:\n  hook:\n    type: webhook\n    url: http://127.0.0.1:9/\n"
                     "    events: {page_view: PageView}\n";
    CHECK_INT(pw_gw_policy_parse("t2.yaml", y2, strlen(y2), NULL, &p, &err), PW_OK);
    CHECK_INT(pw_gw_holder_swap(&s.holder, p, &err), PW_OK);
    reply *r = post(&s, EV(ID1, "page_view") "}");
    CHECK_INT(r->status, 200);
    CHECK(s.sink.n_rows == 1 && strncmp(s.sink.rows[0], "hook\t", 5) == 0);
    stop(&s);
}

/* A keep-alive loopback connection to s; -1 when refused. */
static int raw_connect(server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)pw_gw_http_port(s->http))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

/* GET /healthz on fd; 1 when answered 200 (its whole answer read). */
static int raw_healthz(int fd)
{
    static const char get[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    char buf[1024];
    size_t got = 0;
    if (write(fd, get, sizeof get - 1) != (ssize_t)(sizeof get - 1))
        return 0;
    while (got < sizeof buf - 1) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            return 0;
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "{\"status\":\"ok\"}"))
            return strncmp(buf, "HTTP/1.1 200", 12) == 0;
    }
    return 0;
}

/* Quiesced (the drain's first step), the gateway no longer listens: a new connection is
 * refused; open keep-alive connections, on either HTTP thread, are still served until the stop. */
static void test_quiesce(void)
{
    server s;
    if (!start(&s, 1000)) {
        CHECK(0);
        return;
    }
    int fds[8];
    for (int i = 0; i < 8; i++) { /* on both threads, most likely */
        fds[i] = raw_connect(&s);
        CHECK(fds[i] >= 0 && raw_healthz(fds[i]));
    }
    pw_gw_http_quiesce(s.http);
    for (int i = 0; i < 4; i++) {
        int fd = raw_connect(&s);
        CHECK(fd < 0);
        if (fd >= 0)
            close(fd);
    }
    for (int i = 0; i < 8; i++) {
        CHECK(fds[i] >= 0 && raw_healthz(fds[i]));
        if (fds[i] >= 0)
            close(fds[i]);
    }
    stop(&s);
}

/* Connections made while the gateway quiesces (test_quiesce_racing): after pw_gw_http_quiesce
 * returned, none may complete. */
typedef struct hammer {
    server *s;
    atomic_int quiesced; /* set once pw_gw_http_quiesce returned */
    atomic_int stop;
    atomic_int before;   /* connects begun before the quiesce returned */
    atomic_int after;    /* connects begun after the quiesce returned */
    atomic_int accepted; /* of those, connects that completed */
} hammer;

static void *hammer_run(void *arg)
{
    hammer *hm = arg;
    while (!atomic_load(&hm->stop)) {
        int after = atomic_load(&hm->quiesced);
        int fd = raw_connect(hm->s);
        atomic_fetch_add(&hm->before, !after);
        atomic_fetch_add(&hm->after, after);
        atomic_fetch_add(&hm->accepted, after && fd >= 0);
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

/* Wait 5 ms, and then until *count reaches at least n (WAIT_MS at most). */
static void hammer_wait(atomic_int *count, int n)
{
    usleep(5000);
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS;
         atomic_load(count) < n && pw_gw_mono_ms() < until;)
        usleep(1000);
}

/* Quiescing while the HTTP threads are busy accepting: the listening socket stops at once. It
 * used to be closed while an HTTP thread could still be inside accept() on it (libmicrohttpd
 * says not to close it before the daemon stops), so a connection made just after the quiesce
 * could still be taken. */
/* epoll_ctl's removals wait this long while set (the interposer below). */
static atomic_int epoll_del_delay_us;

/* rounds of: a gateway, two hammers connecting, the quiesce once each side has made min_each
 * connects, with epoll_ctl's removals slowed by del_delay_us meanwhile; no connect begun after
 * the quiesce returned may complete. */
static void quiesce_rounds(int rounds, int min_each, int del_delay_us)
{
    for (int round = 0; round < rounds; round++) {
        server s;
        if (!start(&s, 1000)) {
            CHECK(0);
            return;
        }
        hammer hm = {.s = &s};
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, hammer_run, &hm);
        /* 5 ms of connects each side of the quiesce, and at least a few: on a loaded machine
         * the hammers may not run at all within 5 ms (they once made no connect after it) */
        hammer_wait(&hm.before, min_each);
        atomic_store(&epoll_del_delay_us, del_delay_us);
        pw_gw_http_quiesce(s.http);
        atomic_store(&hm.quiesced, 1);
        hammer_wait(&hm.after, min_each);
        atomic_store(&hm.stop, 1);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        atomic_store(&epoll_del_delay_us, 0);
        CHECK(atomic_load(&hm.after) > 0);
        CHECK_INT(atomic_load(&hm.accepted), 0);
        stop(&s);
    }
}

static void test_quiesce_racing(void)
{
    quiesce_rounds(30, 32, 0);
}

/* Of n connections, those whose end the server closed: read at once (non-blocking) until
 * end-of-stream or an error; done[i] set for each, the count returned. */
static int count_closed(const int *fds, int *done, int n)
{
    int closed = 0;
    for (int i = 0; i < n; i++) {
        char c;
        if (!done[i] && fds[i] >= 0) {
            ssize_t r = recv(fds[i], &c, 1, MSG_DONTWAIT);
            done[i] = r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        }
        closed += done[i];
    }
    return closed;
}

/* A burst of connects from one address, the cap 4 and no proxy trusted: exactly 4 stay open and
 * are served, the other 56 are closed at once. The cap's count was raised only when an HTTP
 * thread had set a connection up, after the hand over: a burst passed it (up to all 60). */
static void test_conn_cap_burst(void)
{
    server s;
    conns_per_ip = 4;
    proxy_untrusted = 1;
    int ok = start(&s, 1000);
    conns_per_ip = 0;
    proxy_untrusted = 0;
    if (!ok) {
        CHECK(0);
        return;
    }
    enum { N = 60 };
    int fds[N], done[N] = {0}, closed = 0;
    for (int i = 0; i < N; i++)
        fds[i] = raw_connect(&s);
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS;
         (closed = count_closed(fds, done, N)) < N - 4 && pw_gw_mono_ms() < until;)
        usleep(2000);
    CHECK_INT(closed, N - 4);
    int served = 0;
    for (int i = 0; i < N; i++)
        served += !done[i] && fds[i] >= 0 && raw_healthz(fds[i]);
    CHECK_INT(served, 4);
    for (int i = 0; i < N; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    stop(&s);
}

/* Of n connections each sent GET /healthz, those answered 200 (read at once, non-blocking, into
 * bufs of 512 bytes) are marked in done[], and closed when close_them; the number answered so far
 * returned. */
static int take_answers(int *fds, int *done, char (*bufs)[512], size_t *got, int n, int close_them)
{
    int answered = 0;
    for (int i = 0; i < n; i++) {
        ssize_t r = 0;
        if (!done[i] && fds[i] >= 0 && got[i] < 511)
            r = recv(fds[i], bufs[i] + got[i], 511 - got[i], MSG_DONTWAIT);
        if (r > 0) {
            got[i] += (size_t)r;
            bufs[i][got[i]] = '\0';
            done[i] = strstr(bufs[i], "{\"status\":\"ok\"}") != NULL;
        }
        if (done[i] == 1 && close_them) {
            close(fds[i]);
            done[i] = 2;
        }
        answered += done[i] != 0;
    }
    return answered;
}

/* The context switches so far of this process's thread named name (-1 if none is). */
static long thread_switches(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    long found = -1;
    struct dirent *e;
    while (d && found < 0 && (e = readdir(d)) != NULL) {
        char path[300], comm[32] = "", line[128];
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        int named = fgets(comm, sizeof comm, f) && strncmp(comm, name, strlen(name)) == 0 &&
                    comm[strlen(name)] == '\n';
        fclose(f);
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        f = named ? fopen(path, "r") : NULL;
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "voluntary_ctxt_switches: %ld", &found) == 1)
                break;
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return found;
}

/* At max_conns open connections (16 here) the gateway takes no more: the others wait in the
 * listening socket's backlog, unanswered while the 16 stay open, and are served as connections
 * close; the stop then ends. libmicrohttpd's own limit, reached by connections handed over in a
 * burst, made the HTTP thread that refused the excess keep its lock (0.9.75): the thread hung,
 * and the stop with it. */
static void test_conn_limit(void)
{
    server s;
    max_conns = 16;
    int ok = start(&s, 1000);
    max_conns = 0;
    if (!ok) {
        CHECK(0);
        return;
    }
    enum { N = 40, LIMIT = 16 };
    static const char get[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    int fds[N], done[N] = {0}, answered = 0;
    static char bufs[N][512];
    size_t got[N] = {0};
    for (int i = 0; i < N; i++) {
        fds[i] = raw_connect(&s);
        CHECK(fds[i] >= 0 && write(fds[i], get, sizeof get - 1) == (ssize_t)(sizeof get - 1));
    }
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS;
         (answered = take_answers(fds, done, bufs, got, N, 0)) < LIMIT && pw_gw_mono_ms() < until;)
        usleep(2000);
    /* the 16 stay open: for 300 ms no other is answered (a slow machine only makes this pass),
     * and the acceptor sleeps meanwhile (it polled every 1 ms: about 300 wake-ups) */
    long switches = thread_switches("pw-accept");
    for (int64_t until = pw_gw_mono_ms() + 300; pw_gw_mono_ms() < until;) {
        answered = take_answers(fds, done, bufs, got, N, 0);
        usleep(2000);
    }
    CHECK_INT(answered, LIMIT);
    CHECK(switches >= 0);
    long woke = thread_switches("pw-accept") - switches;
    if (woke > 10)
        fprintf(stderr, "the acceptor woke %ld times at the limit\n", woke);
    CHECK(woke <= 10);
    for (int64_t until = pw_gw_mono_ms() + WAIT_MS;
         (answered = take_answers(fds, done, bufs, got, N, 1)) < N && pw_gw_mono_ms() < until;)
        usleep(2000);
    CHECK_INT(answered, N);
    alarm(WAIT_MS / 1000); /* a hung stop ends the test (SIGALRM) instead of the suite */
    stop(&s);
    alarm(0);
}

/* The HTTP threads' epoll_ctl, interposed (the test program's definition comes before libc's
 * for libmicrohttpd too): while epoll_del_delay_us is set, every EPOLL_CTL_DEL waits that long
 * first. It widens the window of libmicrohttpd 0.9.75's race in MHD_quiesce_daemon, which sets
 * an epoll thread's was_quiesced flag and removes the listening socket from that thread's epoll
 * set while the thread, reading the same unlocked flags, removes it too: the loser's removal
 * fails (ENOENT) and libmicrohttpd aborts the process ("Failed to remove listen FD from epoll
 * set"). Seen once in a test run at its natural width; with the delay the old quiesce aborted
 * within a few rounds (test_quiesce_epoll_race). */
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    static int (*real)(int, int, int, struct epoll_event *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "epoll_ctl");
    int us = atomic_load(&epoll_del_delay_us);
    if (op == EPOLL_CTL_DEL && us > 0)
        usleep((useconds_t)us);
    return real(epfd, op, fd, ev);
}

/* Quiescing while the HTTP threads run their loops, with that window wide open: the gateway
 * must neither abort nor take a connection after the quiesce. */
static void test_quiesce_epoll_race(void)
{
    quiesce_rounds(20, 8, 3000);
}

PW_TEST_MAIN(PW_TEST(test_routes), PW_TEST(test_queued_rows_and_audit), PW_TEST(test_bad_bodies),
             PW_TEST(test_rate_limit_ipv6), PW_TEST(test_xff_unknown), PW_TEST(test_proxied_cap),
             PW_TEST(test_batch_metrics), PW_TEST(test_size_limit), PW_TEST(test_big_headers),
             PW_TEST(test_cors), PW_TEST(test_rate_limit), PW_TEST(test_spool_full_is_503),
             PW_TEST(test_policy_swap), PW_TEST(test_quiesce), PW_TEST(test_quiesce_racing),
             PW_TEST(test_quiesce_epoll_race), PW_TEST(test_conn_cap_burst),
             PW_TEST(test_conn_limit), PW_TEST(test_early_answers_counted))
