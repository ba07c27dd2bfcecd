/* test_gw_forward.c — the forwarders against loopback mocks of Meta CAPI, GA4 MP and a webhook:
 * exact request bodies, batching limits (1001 Meta events → 2 requests, 26 GA4 events → 2,
 * GA4 bodies under 130 kB), retries on 500 / timeout / 429 + Retry-After, final Graph codes and
 * invalid or stale events dead-lettered, the audit trail of each outcome, tokens never audited.
 *
 * The mock is compiled in directly (tests/mock/CMakeLists.txt builds it as pw_mock once
 * tests/CMakeLists.txt adds the folder). */
#include "../mock/mock_upstream.c"

#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "forward_internal.h"
#include "gw_time.h"
#include "phiwall/text.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

#define META_TOKEN "tok-SECRET-1234"
#define GA4_SECRET "sec-GA4-5678"

static void env_start(env *e, const pw_destination *d)
{
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    pw_err err = {0};
    CHECK_INT(pw_forwarders_start_opts(d, 1, e->spool, e->audit, &o, &e->fw, &err), PW_OK);
}

static pw_destination meta_dest(const env *e)
{
    return env_meta_dest(e, "123456", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
}

static pw_destination ga4_dest(const env *e)
{
    pw_destination d = {.name = "ga4",
                        .kind = PW_DEST_GA4_MP,
                        .base_url = mock_upstream_base(e->mock),
                        .measurement_id = "G-TEST1",
                        .api_secret = GA4_SECRET,
                        .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    return d;
}

static char *meta_event(const char *id, const char *name, long long event_time)
{
    char *s = malloc(512);
    snprintf(s, 512,
             "{\"event_name\":\"%s\",\"event_time\":%lld,\"event_id\":\"%s\",\"action_source\":"
             "\"website\",\"event_source_url\":\"https://hospital.example/\",\"user_data\":{\"em\":"
             "[\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]},"
             "\"custom_data\":{\"page_category\":\"scheduling\"}}",
             name, event_time, id);
    return s;
}

static long long now_s(void)
{
    return (long long)(pw_gw_now_ms() / 1000);
}

static int state_of(env *e, const char *id, const char *dest)
{
    int state = -1;
    pw_spool_state(e->spool, id, dest, &state, NULL);
    return state;
}

typedef struct audit_seen {
    int sent, retry, dead;
    char last_detail[512];
    char sha[8][65];
    char fields[512];
} audit_seen;

static int see(const pw_audit_entry *en, void *ctx)
{
    audit_seen *s = ctx;
    if (strcmp(en->action, "sent") == 0) {
        if (s->sent < 8 && en->payload_sha256)
            snprintf(s->sha[s->sent], 65, "%s", en->payload_sha256);
        if (en->fields_json)
            snprintf(s->fields, sizeof s->fields, "%s", en->fields_json);
        s->sent++;
    } else if (strcmp(en->action, "retry") == 0) {
        s->retry++;
    } else if (strcmp(en->action, "dead") == 0) {
        s->dead++;
    }
    if (en->detail)
        snprintf(s->last_detail, sizeof s->last_detail, "%s", en->detail);
    return 0;
}

static audit_seen read_audit(env *e)
{
    audit_seen s = {0};
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(e->audit_path, &res, NULL), PW_OK);
    CHECK_INT(pw_audit_list_file(e->audit_path, NULL, see, &s, NULL), PW_OK);
    return s;
}

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, needle) != NULL;
}

/* Number of elements of the top-level array `key` in a JSON body. */
static size_t array_len(const char *body, const char *key)
{
    yajl_val v = yajl_tree_parse(body, NULL, 0);
    const char *path[] = {key, NULL};
    yajl_val a = v ? yajl_tree_get(v, path, yajl_t_array) : NULL;
    size_t n = a ? a->u.array.len : 0;
    yajl_tree_free(v);
    return n;
}

/* ---- Meta ---------------------------------------------------------------------------- */

static void test_meta_exact_payload_and_audit(void)
{
    env e;
    env_open(&e, "pw_fw", "meta");
    long long t = now_s() - 60;
    char *a = meta_event("ev-a", "Lead", t), *b = meta_event("ev-b", "Schedule", t);
    put_raw(&e, "meta", "ev-a", a, 0);
    put_raw(&e, "meta", "ev-b", b, 0);
    pw_destination d = meta_dest(&e);
    d.test_event_code = "TEST42";
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(mock_upstream_count(e.mock), 1);
    const mock_request *r = mock_upstream_request(e.mock, 0);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"data\":[%s,%s],\"test_event_code\":\"TEST42\",\"access_token\":\"" META_TOKEN
             "\"}",
             a, b);
    if (r) {
        CHECK_STR(r->method, "POST");
        CHECK_STR(r->url, "/v21.0/123456/events");
        CHECK_STR(r->body, want);
        CHECK_STR(r->content_type, "application/json");
    }
    CHECK_INT(state_of(&e, "ev-a", "meta"), PW_SPOOL_DELIVERED);
    audit_seen s = read_audit(&e);
    CHECK_INT(s.sent, 2);
    char sha_a[65];
    pw_sha256_hex(a, strlen(a), sha_a);
    CHECK_STR(s.sha[0], sha_a); /* the exact bytes of that event in the request */
    CHECK(strstr(s.last_detail, "fbtrace_id=AmockTrace") != NULL);
    CHECK(strstr(s.last_detail, "events_received=2") != NULL);
    CHECK(strstr(s.fields, "\"user_data.em[]\":\"sha256\"") != NULL);
    CHECK(strstr(s.fields, "\"custom_data.page_category\":\"value\"") != NULL);
    CHECK(!file_contains(e.audit_path, META_TOKEN));
    free(a);
    free(b);
    env_close(&e);
}

static void test_meta_1001_events_two_requests(void)
{
    env e;
    env_open(&e, "pw_fw", "meta1001");
    long long t = now_s() - 10;
    pw_spool_put_item *items = calloc(1001, sizeof *items);
    char **payloads = calloc(1001, sizeof *payloads);
    char ids[1001][16];
    for (int i = 0; i < 1001; i++) {
        snprintf(ids[i], sizeof ids[i], "m%04d", i);
        payloads[i] = meta_event(ids[i], "PageView", t);
        items[i] = (pw_spool_put_item){ids[i], "meta", payloads[i], strlen(payloads[i]), 0, 0};
    }
    CHECK_INT(pw_spool_put(e.spool, items, 1001, NULL), PW_OK);
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forward_stats fs;
    CHECK_INT(pw_forwarders_stats(e.fw, "meta", &fs), PW_OK);
    CHECK_INT(fs.sent, 1001);
    CHECK_INT(fs.batches, 2);
    CHECK_INT(mock_upstream_count(e.mock), 2);
    size_t total = 0;
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++) {
        size_t n = array_len(mock_upstream_request(e.mock, i)->body, "data");
        CHECK(n <= 1000);
        total += n;
    }
    CHECK_INT(total, 1001);
    for (int i = 0; i < 1001; i++)
        free(payloads[i]);
    free(payloads);
    free(items);
    env_close(&e);
}

static void test_meta_retry_500_then_delivered(void)
{
    env e;
    env_open(&e, "pw_fw", "meta500");
    char *a = meta_event("r1", "Lead", now_s());
    put_raw(&e, "meta", "r1", a, 0);
    mock_reply fail = {.status = 500, .body = "{\"error\":{\"message\":\"boom\"}}"};
    mock_upstream_script(e.mock, &fail);
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 2);
    CHECK_INT(state_of(&e, "r1", "meta"), PW_SPOOL_DELIVERED);
    CHECK_STR(mock_upstream_request(e.mock, 0)->body, mock_upstream_request(e.mock, 1)->body);
    pw_forward_stats fs;
    pw_forwarders_stats(e.fw, "meta", &fs);
    CHECK_INT(fs.retried, 1);
    CHECK_INT(fs.failed, 1);
    CHECK_INT(fs.sent, 1);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    audit_seen s = read_audit(&e);
    CHECK_INT(s.retry, 1);
    CHECK_INT(s.sent, 1);
    free(a);
    env_close(&e);
}

static void test_meta_timeout_then_delivered(void)
{
    env e;
    env_open(&e, "pw_fw", "metato");
    char *a = meta_event("t1", "Lead", now_s());
    put_raw(&e, "meta", "t1", a, 0);
    mock_reply slow = {.status = 200, .body = "{}", .delay_ms = 700};
    mock_upstream_script(e.mock, &slow);
    pw_destination d = meta_dest(&e);
    d.timeout_ms = 200;
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(state_of(&e, "t1", "meta"), PW_SPOOL_DELIVERED);
    CHECK(mock_upstream_count(e.mock) >= 2);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    audit_seen s = read_audit(&e);
    CHECK(s.retry >= 1);
    CHECK(file_contains(e.audit_path, "timeout after 200 ms"));
    free(a);
    env_close(&e);
}

static void test_meta_429_honours_retry_after(void)
{
    env e;
    env_open(&e, "pw_fw", "meta429");
    char *a = meta_event("q1", "Lead", now_s());
    put_raw(&e, "meta", "q1", a, 0);
    mock_reply busy = {.status = 429, .body = "{}", .retry_after_s = 1};
    mock_upstream_script(e.mock, &busy);
    pw_destination d = meta_dest(&e);
    int64_t t0 = pw_gw_mono_ms();
    env_start(&e, &d);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    int64_t t1 = pw_gw_mono_ms();
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    int64_t t2 = pw_gw_mono_ms();
    (void)t0;
    CHECK(t2 - t1 >= 900); /* backoff alone would be 20–40 ms */
    CHECK_INT(mock_upstream_count(e.mock), 2);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK(file_contains(e.audit_path, "(Retry-After)"));
    free(a);
    env_close(&e);
}

/* An absurd Retry-After (1.8e16 s: its milliseconds overflowed to a retry 384 ms later) is
 * taken as "longer than the retry window": the item is dead-lettered, never hammered again. */
static void test_meta_absurd_retry_after(void)
{
    env e;
    env_open(&e, "pw_fw", "meta429huge");
    char *a = meta_event("q2", "Lead", now_s());
    put_raw(&e, "meta", "q2", a, 0);
    mock_reply busy = {.status = 429, .body = "{}", .retry_after = "18446744073709552"};
    mock_upstream_script(e.mock, &busy);
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK(!mock_upstream_wait(e.mock, 2, 1500)); /* no second attempt */
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(mock_upstream_count(e.mock), 1);
    audit_seen s = read_audit(&e);
    CHECK_INT(s.dead, 1);
    CHECK_INT(s.sent, 0);
    CHECK(file_contains(e.audit_path, "retry window closed"));
    free(a);
    env_close(&e);
}

/* A redirect is never followed: the access token (in the body) must not reach another host.
 * Any 3xx (an upstream moving: 301, 302, 303, 307, 308) is retried at the same URL with the
 * normal backoff, so the events wait for a new base_url instead of going to the dead letters. */
static void test_meta_redirect_not_followed(void)
{
    env e;
    env_open(&e, "pw_fw", "meta307");
    mock_upstream *other = mock_upstream_start();
    CHECK(other != NULL);
    if (!other) {
        env_close(&e);
        return;
    }
    char *a = meta_event("r1", "Lead", now_s());
    put_raw(&e, "meta", "r1", a, 0);
    char to[128];
    snprintf(to, sizeof to, "%s/v19.0/1/events", mock_upstream_base(other));
    mock_reply moved = {.status = 307, .body = "", .location = to};
    mock_reply moved_for_good = {.status = 308, .body = "", .location = to};
    mock_upstream_script(e.mock, &moved);
    mock_upstream_script(e.mock, &moved_for_good); /* then the mock's default 200 */
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(mock_upstream_wait(e.mock, 3, GW_TEST_WAIT_MS));
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(state_of(&e, "r1", "meta"), PW_SPOOL_DELIVERED);
    /* 301, 302 and 303 alike (a 301 dead-lettered the events at once, a 308 not): retried at
     * the same URL, still not followed, delivered once the upstream answers there again. */
    char *b = meta_event("r2", "Lead", now_s());
    mock_reply gone = {.status = 301, .body = "", .location = to};
    mock_reply found = {.status = 302, .body = "", .location = to};
    mock_reply see = {.status = 303, .body = "", .location = to};
    mock_upstream_script(e.mock, &gone);
    mock_upstream_script(e.mock, &found);
    mock_upstream_script(e.mock, &see);
    put_raw(&e, "meta", "r2", b, 0);
    pw_forwarders_notify(e.fw);
    CHECK(mock_upstream_wait(e.mock, 7, GW_TEST_WAIT_MS));
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(state_of(&e, "r2", "meta"), PW_SPOOL_DELIVERED);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(mock_upstream_count(other), 0);
    CHECK_INT(mock_upstream_count(e.mock), 7);
    audit_seen s = read_audit(&e);
    CHECK_INT(s.retry, 5);
    CHECK_INT(s.sent, 2);
    CHECK_INT(s.dead, 0);
    CHECK(file_contains(e.audit_path, "http 308: redirect not followed"));
    CHECK(file_contains(e.audit_path, "http 301: redirect not followed"));
    CHECK(file_contains(e.audit_path, "http 303: redirect not followed"));
    mock_upstream_stop(other);
    free(a);
    free(b);
    env_close(&e);
}

static void test_meta_graph_codes(void)
{
    env e;
    env_open(&e, "pw_fw", "metacode");
    char *a = meta_event("g1", "Lead", now_s());
    put_raw(&e, "meta", "g1", a, 0);
    char body[512];
    /* A final error whose message even echoes the token: dead, once, and scrubbed. (Token and
     * permission codes such as 190 pause instead: test_gw_forward_auth.c.) */
    snprintf(body, sizeof body,
             "{\"error\":{\"message\":\"Invalid parameter near " META_TOKEN "\",\"type\":"
             "\"OAuthException\",\"code\":100,\"fbtrace_id\":\"AtraceDead\"}}");
    mock_reply final = {.status = 400, .body = body};
    mock_upstream_script(e.mock, &final);
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    usleep(100 * 1000);
    CHECK_INT(mock_upstream_count(e.mock), 1);
    CHECK_INT(state_of(&e, "g1", "meta"), PW_SPOOL_DEAD);
    char reason[256] = "";
    CHECK_INT(pw_spool_dead_reason(e.spool, "g1", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "code 100") != NULL);
    CHECK(strstr(reason, "fbtrace_id=AtraceDead") != NULL);
    CHECK(strstr(reason, META_TOKEN) == NULL);
    /* A retryable code (2, service unavailable) is retried. */
    char *b = meta_event("g2", "Lead", now_s());
    mock_reply transient = {.status = 500, .body = mock_graph_error(body, sizeof body, 2, 0, "T2")};
    mock_upstream_script(e.mock, &transient);
    put_raw(&e, "meta", "g2", b, 0);
    pw_forwarders_notify(e.fw);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(state_of(&e, "g2", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 3);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    audit_seen s = read_audit(&e);
    CHECK_INT(s.dead, 1);
    CHECK_INT(s.retry, 1);
    CHECK(!file_contains(e.audit_path, META_TOKEN));
    free(a);
    free(b);
    env_close(&e);
}

static void test_meta_stale_and_invalid_dead_lettered(void)
{
    env e;
    env_open(&e, "pw_fw", "metastale");
    int64_t now = pw_gw_now_ms();
    char *old = meta_event("s1", "Lead", now_s() - (long long)(6.5 * 86400));
    char *fresh = meta_event("s2", "Lead", now_s());
    char *future = meta_event("s3", "Lead", now_s() + 3600);
    const char *no_user =
        "{\"event_name\":\"Lead\",\"event_time\":1,\"action_source\":\"website\"}";
    put_raw(&e, "meta", "s1", old, 0);
    put_raw(&e, "meta", "s2", fresh, 0);
    put_raw(&e, "meta", "s3", future, 0);
    put_raw(&e, "meta", "s4", no_user, 0);
    put_raw(&e, "meta", "s5", "not json", 0);
    char raw[512];
    snprintf(raw, sizeof raw,
             "{\"event_name\":\"Lead\",\"event_time\":%lld,\"action_source\":\"website\","
             "\"user_data\":{\"em\":[\"jane.doe@example.com\"]}}",
             now_s());
    put_raw(&e, "meta", "s7", raw, 0);
    /* Accepted 47.5 h ago, first sent now (a 503): Meta's 48 h deduplication runs from when it
     * first got the event, so the retry is still inside the window and the event is delivered.
     * Before, the window counted from acceptance and s6 was dead-lettered ("retry window
     * closed after attempt 1"). test_meta_retry_window_from_first_attempt closes it. */
    char *late = meta_event("s6", "Lead", now_s() - 60);
    put_raw(&e, "meta", "s6", late, now - (int64_t)(47.5 * 3600 * 1000));
    mock_reply fail = {.status = 503, .body = "{}"};
    mock_upstream_script(e.mock, &fail);
    pw_destination d = meta_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    char reason[256];
    CHECK_INT(pw_spool_dead_reason(e.spool, "s1", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "stale: event_time older than 6 days") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "s3", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "future") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "s4", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "user_data") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "s5", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "not JSON") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "s7", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "user_data.em must hold SHA-256") != NULL);
    CHECK(strstr(reason, "jane") == NULL);
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++)
        CHECK(strstr(mock_upstream_request(e.mock, i)->body, "jane.doe") == NULL);
    CHECK(!file_contains(e.audit_path, "jane.doe"));
    CHECK_INT(pw_spool_dead_reason(e.spool, "s6", "meta", reason, sizeof reason, NULL),
              PW_ERR_NOTFOUND);
    /* s2 and s6 were sent in a batch that failed once, then delivered together. */
    CHECK_INT(state_of(&e, "s2", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(state_of(&e, "s6", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 2);
    CHECK_INT(array_len(mock_upstream_request(e.mock, 0)->body, "data"), 2);
    CHECK_INT(array_len(mock_upstream_request(e.mock, 1)->body, "data"), 2);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    audit_seen s = read_audit(&e);
    CHECK_INT(s.dead, 5);
    CHECK_INT(s.sent, 2);
    free(old);
    free(fresh);
    free(future);
    free(late);
    env_close(&e);
}

/* ---- GA4 ----------------------------------------------------------------------------- */

static void test_ga4_26_events_two_requests(void)
{
    env e;
    env_open(&e, "pw_fw", "ga4");
    char id[32], payload[256];
    for (int i = 0; i < 26; i++) {
        snprintf(id, sizeof id, "g%02d", i);
        snprintf(payload, sizeof payload,
                 "{\"client_id\":\"c.1\",\"consent\":{\"ad_user_data\":\"DENIED\"},\"events\":[{"
                 "\"name\":\"page_view\",\"params\":{\"page_category\":\"scheduling\",\"n\":%d}}]}",
                 i);
        put_raw(&e, "ga4", id, payload, 0);
    }
    put_raw(&e, "ga4", "other", "{\"client_id\":\"c.2\",\"events\":[{\"name\":\"lead\"}]}", 0);
    pw_destination d = ga4_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "ga4", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 3); /* 25 + 1 for c.1, 1 for c.2 */
    size_t total = 0;
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++) {
        const mock_request *r = mock_upstream_request(e.mock, i);
        CHECK_STR(r->url, "/mp/collect?measurement_id=G-TEST1&api_secret=" GA4_SECRET);
        size_t n = array_len(r->body, "events");
        CHECK(n <= 25);
        total += n;
        static const char first[] =
            "{\"client_id\":\"c.1\",\"consent\":{\"ad_user_data\":\"DENIED\"},\"events\":[{"
            "\"name\":\"page_view\",\"params\":{\"page_category\":\"scheduling\",\"n\":0}},{";
        if (n == 25)
            CHECK(strncmp(r->body, first, sizeof first - 1) == 0);
        if (strstr(r->body, "c.2"))
            CHECK_STR(r->body,
                      "{\"consent\":{\"ad_user_data\":\"DENIED\",\"ad_personalization\":"
                      "\"DENIED\"},\"client_id\":\"c.2\",\"events\":[{\"name\":\"lead\"}]}");
    }
    CHECK_INT(total, 27);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK(!file_contains(e.audit_path, GA4_SECRET));
    /* each event's payload_sha256 is the SHA-256 of the whole request that carried it (the
     * visitor's client_id and consent are disclosed with it), so a copy of a request body proves
     * its records: sha256sum of the body finds them */
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++) {
        const mock_request *r = mock_upstream_request(e.mock, i);
        char sha[65], rec[96];
        pw_sha256_hex(r->body, strlen(r->body), sha);
        snprintf(rec, sizeof rec, "\"payload_sha256\":\"%s\"", sha);
        CHECK(file_contains(e.audit_path, rec));
    }
    env_close(&e);
}

static void test_ga4_split_by_size(void)
{
    env e;
    env_open(&e, "pw_fw", "ga4size");
    /* 10 payloads of ~20 kB each (ecommerce items arrays): under 25 events, over 130 kB. */
    size_t cap = 32 * 1024;
    char *p = malloc(cap);
    char id[32];
    for (int i = 0; i < 10; i++) {
        size_t n = (size_t)snprintf(p, cap,
                                    "{\"client_id\":\"c.1\",\"events\":[{\"name\":"
                                    "\"purchase\",\"params\":{\"items\":[");
        for (int k = 0; k < 200; k++)
            n += (size_t)snprintf(
                p + n, cap - n,
                "%s{\"item_id\":\"SKU-%05d\",\"item_name\":\"Scrubs, navy, size M, "
                "pack of three\",\"price\":%d}",
                k ? "," : "", k + i * 1000, k);
        snprintf(p + n, cap - n, "]}}]}");
        snprintf(id, sizeof id, "big%d", i);
        put_raw(&e, "ga4", id, p, 0);
    }
    pw_destination d = ga4_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "ga4", GW_TEST_WAIT_MS));
    size_t reqs = mock_upstream_count(e.mock), total = 0;
    CHECK(reqs >= 2);
    for (size_t i = 0; i < reqs; i++) {
        const mock_request *r = mock_upstream_request(e.mock, i);
        CHECK(r->body_len < 130000);
        total += array_len(r->body, "events");
    }
    CHECK_INT(total, 10);
    free(p);
    env_close(&e);
}

static void test_ga4_invalid_dead_lettered_locally(void)
{
    env e;
    env_open(&e, "pw_fw", "ga4bad");
    char v101[128], payload[512];
    memset(v101, 'x', 101);
    v101[101] = '\0';
    put_raw(&e, "ga4", "long_name",
            "{\"client_id\":\"c\",\"events\":[{\"name\":"
            "\"a_name_that_is_far_too_long_for_ga4_limits_x\"}]}",
            0);
    snprintf(payload, sizeof payload,
             "{\"client_id\":\"c\",\"events\":[{\"name\":\"lead\",\"params\":{\"p\":\"%s\"}}]}",
             v101);
    put_raw(&e, "ga4", "long_value", payload, 0);
    put_raw(&e, "ga4", "reserved",
            "{\"client_id\":\"c\",\"events\":[{\"name\":\"session_start\"}]}", 0);
    put_raw(&e, "ga4", "no_client", "{\"events\":[{\"name\":\"lead\"}]}", 0);
    char stale[256]; /* GA4 drops an event older than 72 h with a 2xx: dead-lettered instead */
    snprintf(stale, sizeof stale,
             "{\"client_id\":\"c\",\"timestamp_micros\":%lld000000,\"events\":[{\"name\":"
             "\"lead\"}]}",
             now_s() - 73 * 3600);
    put_raw(&e, "ga4", "stale", stale, 0);
    put_raw(&e, "ga4", "ok", "{\"client_id\":\"c\",\"events\":[{\"name\":\"lead\"}]}", 0);
    pw_destination d = ga4_dest(&e);
    env_start(&e, &d);
    CHECK(drained(&e, "ga4", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 1);
    CHECK_STR(mock_upstream_request(e.mock, 0)->body,
              "{\"consent\":{\"ad_user_data\":\"DENIED\",\"ad_personalization\":\"DENIED\"},"
              "\"client_id\":\"c\",\"events\":[{\"name\":\"lead\"}]}");
    char reason[256];
    CHECK_INT(pw_spool_dead_reason(e.spool, "long_name", "ga4", reason, sizeof reason, NULL),
              PW_OK);
    CHECK(strstr(reason, "events[0].name") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "long_value", "ga4", reason, sizeof reason, NULL),
              PW_OK);
    CHECK(strstr(reason, "longer than 100") != NULL);
    CHECK(strstr(reason, "xxxx") == NULL); /* values never in reasons */
    CHECK_INT(pw_spool_dead_reason(e.spool, "reserved", "ga4", reason, sizeof reason, NULL), PW_OK);
    CHECK_INT(pw_spool_dead_reason(e.spool, "no_client", "ga4", reason, sizeof reason, NULL),
              PW_OK);
    CHECK(strstr(reason, "client_id") != NULL);
    CHECK_INT(pw_spool_dead_reason(e.spool, "stale", "ga4", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "timestamp_micros older than 72 h") != NULL);
    env_close(&e);
}

/* ---- webhook --------------------------------------------------------------------------- */

static void test_webhook_bearer_retry_and_dead(void)
{
    env e;
    env_open(&e, "pw_fw", "hook");
    char url[128];
    snprintf(url, sizeof url, "%s/hooks/in", mock_upstream_base(e.mock));
    pw_destination d = {.name = "crm",
                        .kind = PW_DEST_WEBHOOK,
                        .url = url,
                        .bearer_token = "hook-TOKEN-9",
                        .timeout_ms = 1000};
    put_raw(&e, "crm", "w1", "{\"type\":\"lead\"}", 0);
    put_raw(&e, "crm", "w2", "{\"type\":\"contact\"}", 0);
    mock_reply unavailable = {.status = 503};
    mock_upstream_script(e.mock, &unavailable);
    env_start(&e, &d);
    CHECK(drained(&e, "crm", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 2);
    const mock_request *r = mock_upstream_request(e.mock, 1);
    CHECK_STR(r->url, "/hooks/in");
    CHECK_STR(r->body, "[{\"type\":\"lead\"},{\"type\":\"contact\"}]");
    CHECK_STR(r->authorization, "Bearer hook-TOKEN-9");
    mock_reply gone = {.status = 404};
    mock_upstream_script(e.mock, &gone);
    put_raw(&e, "crm", "w3", "{\"type\":\"lead\"}", 0);
    pw_forwarders_notify(e.fw);
    CHECK(drained(&e, "crm", GW_TEST_WAIT_MS));
    CHECK_INT(state_of(&e, "w3", "crm"), PW_SPOOL_DEAD);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK(!file_contains(e.audit_path, "hook-TOKEN-9"));
    env_close(&e);
}

/* ---- response parsing ------------------------------------------------------------------- */

static void test_parse_responses(void)
{
    pw_meta_response m;
    const char *ok = "{\"events_received\":3,\"messages\":[],\"fbtrace_id\":\"AbC\"}";
    CHECK(pw_fw_parse_meta_response(ok, strlen(ok), &m));
    CHECK_INT(m.has_error, 0);
    CHECK_INT(m.events_received, 3);
    CHECK_STR(m.fbtrace_id, "AbC");
    const char *err = "{\"error\":{\"message\":\"Invalid\\nparameter\",\"code\":100,"
                      "\"error_subcode\":2804003,\"fbtrace_id\":\"X1\"}}";
    CHECK(pw_fw_parse_meta_response(err, strlen(err), &m));
    CHECK_INT(m.has_error, 1);
    CHECK_INT(m.error_code, 100);
    CHECK_INT(m.error_subcode, 2804003);
    CHECK_STR(m.message, "Invalid parameter");
    CHECK(!pw_fw_parse_meta_response("<html>", 6, &m));
    CHECK_INT(pw_fw_meta_code_retryable(17), 1);
    CHECK_INT(pw_fw_meta_code_retryable(341), 1);
    CHECK_INT(pw_fw_meta_code_retryable(190), 0);
    CHECK_INT(pw_fw_meta_code_retryable(250), 0);
    CHECK_INT(pw_fw_meta_code_retryable(12345), -1);
    pw_ga4_response g;
    const char *dbg = "{\"validationMessages\":[{\"fieldPath\":\"events\",\"description\":"
                      "\"Event name is reserved\",\"validationCode\":\"NAME_RESERVED\"}]}";
    CHECK(pw_fw_parse_ga4_response(dbg, strlen(dbg), &g));
    CHECK_INT(g.validation_messages, 1);
    CHECK_STR(g.first_message, "Event name is reserved");
    CHECK(pw_fw_parse_ga4_response("", 0, &g));
    CHECK_INT(g.validation_messages, 0);
}

PW_TEST_MAIN(PW_TEST(test_parse_responses), PW_TEST(test_meta_exact_payload_and_audit),
             PW_TEST(test_meta_1001_events_two_requests),
             PW_TEST(test_meta_retry_500_then_delivered), PW_TEST(test_meta_timeout_then_delivered),
             PW_TEST(test_meta_429_honours_retry_after), PW_TEST(test_meta_absurd_retry_after),
             PW_TEST(test_meta_redirect_not_followed), PW_TEST(test_meta_graph_codes),
             PW_TEST(test_meta_stale_and_invalid_dead_lettered),
             PW_TEST(test_ga4_26_events_two_requests), PW_TEST(test_ga4_split_by_size),
             PW_TEST(test_ga4_invalid_dead_lettered_locally),
             PW_TEST(test_webhook_bearer_retry_and_dead))
