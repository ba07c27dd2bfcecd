/*
 * test_gw_forward_auth.c — a destination that refuses the credentials (webhook HTTP 401, Meta
 * Graph code 190) pauses instead of dead-lettering: the events stay queued, the pause shows in
 * the stats (PW_FORWARD_PAUSED_AUTH), one warn is logged without the token, small probes (at
 * most 10 items) go out with backoff, and once the upstream accepts again every event is
 * delivered exactly once. The age rules still dead-letter while paused, but Meta's 47 h retry
 * window only for an event an earlier request may have delivered, counted from that request; probes
 * take the oldest items; a final error that is not about the credentials (Graph code 100) still
 * dead-letters at once, without a pause.
 */
#include "../mock/mock_upstream.c"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "forward_internal.h"
#include "gw_time.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

#define HOOK_TOKEN "hook-SECRET-token-0123456789"
#define META_TOKEN "meta-SECRET-token-9876543210"

typedef struct seen {
    size_t sent, retry, dead;
} seen;

static int see(const pw_audit_entry *en, void *ctx)
{
    seen *s = ctx;
    s->sent += strcmp(en->action, "sent") == 0;
    s->retry += strcmp(en->action, "retry") == 0;
    s->dead += strcmp(en->action, "dead") == 0;
    return 0;
}

static int state_of_spool(env *e, const char *id, const char *dest)
{
    int state = -1;
    pw_spool_state(e->spool, id, dest, &state, NULL);
    return state;
}

static seen read_audit(env *e)
{
    seen s = {0};
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(e->audit_path, &res, NULL), PW_OK);
    CHECK_INT(pw_audit_list_file(e->audit_path, NULL, see, &s, NULL), PW_OK);
    return s;
}

static void start(env *e, const pw_destination *d)
{
    pw_forward_opts o = {.retry_base_ms = 20,
                         .retry_max_ms = 100,
                         .poll_ms = 10,
                         .auth_probe_ms = 50,
                         .auth_probe_max_ms = 200};
    CHECK_INT(pw_forwarders_start_opts(d, 1, e->spool, e->audit, &o, &e->fw, NULL), PW_OK);
}

/* The first request was answered and the forwarder shows the auth pause (within GW_TEST_WAIT_MS).
 */
static int wait_auth_paused(env *e, const char *dest)
{
    if (!mock_upstream_wait(e->mock, 1, GW_TEST_WAIT_MS))
        return 0;
    for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS; pw_gw_mono_ms() < until; usleep(1000))
        if (env_paused_of(e, dest) == PW_FORWARD_PAUSED_AUTH)
            return 1;
    return 0;
}

/* n webhook "Lead" events, ids prefix00, prefix01, … */
static void put_leads(env *e, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char id[16], p[128];
        snprintf(id, sizeof id, "%s%02d", prefix, i);
        snprintf(p, sizeof p, "{\"event_name\":\"Lead\",\"event_id\":\"%s\"}", id);
        put_raw(e, "hook", id, p, 0);
    }
}

/* The webhook destination "hook" at the mock (url: the caller's buffer for its URL). */
static pw_destination hook_dest(env *e, char url[256], const char *token)
{
    snprintf(url, 256, "%s/hook", mock_upstream_base(e->mock));
    pw_destination d = {.name = "hook",
                        .kind = PW_DEST_WEBHOOK,
                        .url = url,
                        .bearer_token = token,
                        .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    return d;
}

#define N_HOOK 30

static void test_webhook_401_pauses_then_delivers(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "hook");
    put_leads(&e, "w-", N_HOOK);
    mock_reply refused = {.status = 401, .body = "token " HOOK_TOKEN " is not valid"};
    for (int i = 0; i < 3; i++)
        mock_upstream_script(e.mock, &refused);
    char url[256];
    pw_destination d = hook_dest(&e, url, HOOK_TOKEN);
    env_capture cap;
    CHECK(env_capture_start(&cap, &e));
    start(&e, &d);
    /* While the upstream refuses: paused for auth, nothing dead, everything still queued. */
    CHECK(wait_auth_paused(&e, "hook"));
    pw_spool_stats ss;
    CHECK_INT(pw_spool_stats_get(e.spool, "hook", &ss, NULL), PW_OK);
    CHECK_INT(ss.dead, 0);
    CHECK(drained(&e, "hook", GW_TEST_WAIT_MS));
    CHECK_INT(env_paused_of(&e, "hook"), 0);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    const char *log = env_capture_end(&cap);
    CHECK_INT(env_occurrences(log, "delivery paused"), 1);
    CHECK(strstr(log, "\"hook\"") != NULL);
    CHECK(strstr(log, "http 401") != NULL);
    CHECK(strstr(log, "delivery resumed") != NULL);
    CHECK(strstr(log, HOOK_TOKEN) == NULL);

    /* The first request carried the whole lease, each probe at most 10 items. */
    size_t n_req = mock_upstream_count(e.mock);
    CHECK(n_req >= 4);
    CHECK_INT(env_occurrences(mock_upstream_request(e.mock, 0)->body, "\"event_id\""), N_HOOK);
    for (size_t i = 1; i < 3; i++)
        CHECK(env_occurrences(mock_upstream_request(e.mock, i)->body, "\"event_id\"") <= 10);
    /* After the switch, every event went out exactly once, and was delivered. */
    for (int i = 0; i < N_HOOK; i++) {
        char id[16], needle[40];
        snprintf(id, sizeof id, "w-%02d", i);
        snprintf(needle, sizeof needle, "\"event_id\":\"%s\"", id);
        size_t n = 0;
        for (size_t k = 3; k < n_req; k++)
            n += env_occurrences(mock_upstream_request(e.mock, k)->body, needle);
        CHECK_INT(n, 1);
        CHECK_INT(state_of_spool(&e, id, "hook"), PW_SPOOL_DELIVERED);
    }
    /* Audit: one "retry" per event per refused request (30 + 10 + 10), a "sent" each, no dead. */
    seen s = read_audit(&e);
    CHECK_INT(s.sent, N_HOOK);
    CHECK_INT(s.dead, 0);
    CHECK_INT(s.retry, N_HOOK + 10 + 10);
    CHECK(strstr(env_read_all(e.audit_path), "destination paused, event kept queued: http 401") !=
          NULL);
    CHECK(strstr(env_read_all(e.audit_path), HOOK_TOKEN) == NULL);
    env_close(&e);
}

static void test_meta_190_pauses_then_delivers(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "meta");
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "m-%d", i);
        char *p = env_meta_event(id);
        put_raw(&e, "meta", id, p, 0);
        free(p);
    }
    /* Graph echoes the token in its message: scrubbed from the log and the audit details. */
    const char *body = "{\"error\":{\"message\":\"Error validating access token " META_TOKEN
                       "\",\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":463,"
                       "\"fbtrace_id\":\"TraceAuth190\"}}";
    mock_reply refused = {.status = 400, .body = body};
    mock_upstream_script(e.mock, &refused);
    mock_upstream_script(e.mock, &refused);
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    env_capture cap;
    CHECK(env_capture_start(&cap, &e));
    start(&e, &d);
    CHECK(wait_auth_paused(&e, "meta"));
    /* Paused: an event past Meta's age limit is still dead-lettered (stale), not kept. */
    char *old = env_meta_event("m-old");
    put_raw(&e, "meta", "m-old", old, pw_gw_now_ms() - PW_FORWARD_META_MAX_EVENT_AGE_MS - 3600000);
    free(old);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    const char *log = env_capture_end(&cap);
    CHECK_INT(env_occurrences(log, "delivery paused"), 1);
    CHECK(strstr(log, "code 190") != NULL);
    CHECK(strstr(log, "fbtrace_id=TraceAuth190") != NULL);
    CHECK(strstr(log, META_TOKEN) == NULL);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "m-%d", i);
        CHECK_INT(state_of_spool(&e, id, "meta"), PW_SPOOL_DELIVERED);
    }
    CHECK_INT(state_of_spool(&e, "m-old", "meta"), PW_SPOOL_DEAD);
    char reason[256] = "";
    CHECK_INT(pw_spool_dead_reason(e.spool, "m-old", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "stale") != NULL);
    /* Exactly once after the switch: the events of the delivered requests. */
    size_t n_req = mock_upstream_count(e.mock);
    for (int i = 0; i < 3; i++) {
        char needle[40];
        snprintf(needle, sizeof needle, "\"event_id\":\"m-%d\"", i);
        size_t n = 0;
        for (size_t k = 2; k < n_req; k++)
            n += env_occurrences(mock_upstream_request(e.mock, k)->body, needle);
        CHECK_INT(n, 1);
    }
    seen s = read_audit(&e);
    CHECK_INT(s.sent, 3);
    CHECK_INT(s.dead, 1); /* the stale one only */
    CHECK_INT(s.retry, 3 + 3);
    CHECK(strstr(env_read_all(e.audit_path), META_TOKEN) == NULL);
    env_close(&e);
}

static void test_meta_code_100_still_dead(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "meta100");
    char *p = env_meta_event("bad-1");
    put_raw(&e, "meta", "bad-1", p, 0);
    free(p);
    char body[512];
    mock_reply final = {.status = 400, .body = mock_graph_error(body, sizeof body, 100, 0, "T100")};
    mock_upstream_script(e.mock, &final);
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(env_paused_of(&e, "meta"), 0);
    CHECK_INT(state_of_spool(&e, "bad-1", "meta"), PW_SPOOL_DEAD);
    CHECK_INT(mock_upstream_count(e.mock), 1);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    seen s = read_audit(&e);
    CHECK_INT(s.dead, 1);
    CHECK_INT(s.retry, 0);
    env_close(&e);
}

/* GA4 sends one request per visitor, in waves of FW_WAVE: once a wave is refused, the later
 * waves of the cycle are not sent (put back unsent), so a refused token costs one wave. */
#define N_GA4 150

static void test_ga4_later_waves_not_sent(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "ga4");
    for (int i = 0; i < N_GA4; i++) {
        char id[16], p[160];
        snprintf(id, sizeof id, "g-%03d", i);
        snprintf(p, sizeof p, "{\"client_id\":\"c.%d\",\"events\":[{\"name\":\"lead\"}]}", i);
        put_raw(&e, "ga4", id, p, 0);
    }
    mock_reply refused = {.status = 403, .body = ""};
    for (int i = 0; i < FW_WAVE; i++)
        mock_upstream_script(e.mock, &refused);
    pw_destination d = {.name = "ga4",
                        .kind = PW_DEST_GA4_MP,
                        .base_url = mock_upstream_base(e.mock),
                        .measurement_id = "G-AUTH",
                        .api_secret = "ga4-SECRET-0123456789",
                        .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    start(&e, &d);
    CHECK(drained(&e, "ga4", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    /* the refused wave, one probe of 10 requests, then the 140 others */
    CHECK_INT(mock_upstream_count(e.mock), FW_WAVE + 10 + (N_GA4 - 10));
    seen s = read_audit(&e);
    CHECK_INT(s.sent, N_GA4);
    CHECK_INT(s.dead, 0);
    CHECK_INT(s.retry, N_GA4); /* 100 refused, 50 put back unsent */
    CHECK(strstr(env_read_all(e.audit_path), "not sent: credentials refused") != NULL);
    env_close(&e);
}

/* Meta's retry window (47 h after acceptance) is about re-sending an event Meta may already
 * have. An event whose every request was refused for its credentials never reached Meta, so a
 * pause longer than the window (a token revoked over a weekend) must not dead-letter it: only
 * the age limit (6 days) applies. Before, each probe's lease counted as an attempt and the
 * first probe past 47 h dead-lettered the event ("retry window closed"). */
#define META_WINDOW_MS (47LL * 3600 * 1000)

static void refuse_190(env *e, int times)
{
    static char body[512];
    mock_reply refused = {.status = 400,
                          .body = mock_graph_error(body, sizeof body, 190, 463, "TraceAuth190")};
    for (int i = 0; i < times; i++)
        mock_upstream_script(e->mock, &refused);
}

static void test_meta_pause_past_retry_window(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "metalong");
    char *p = env_meta_event("m-weekend");
    put_raw(&e, "meta", "m-weekend", p, pw_gw_now_ms() - META_WINDOW_MS - 3 * 3600000LL);
    free(p);
    refuse_190(&e, 4); /* the first request and three probes */
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    CHECK(wait_auth_paused(&e, "meta"));
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(state_of_spool(&e, "m-weekend", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 5);
    seen s = read_audit(&e);
    CHECK_INT(s.sent, 1);
    CHECK_INT(s.dead, 0);
    CHECK_INT(s.retry, 4);
    env_close(&e);
}

/* The retry window counts from the first attempt that may have reached Meta, not from
 * acceptance: an event accepted 50 h ago whose requests were all refused for the credentials (a
 * revoked token over a weekend) and whose first real attempt then fails (a 500) is retried and
 * delivered, since Meta cannot have seen it before that attempt. Before, it was dead-lettered
 * at once ("retry window closed after attempt 1"). */
static void test_meta_first_attempt_after_long_pause(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "metafirst");
    char *p = env_meta_event("m-first");
    put_raw(&e, "meta", "m-first", p, pw_gw_now_ms() - META_WINDOW_MS - 3 * 3600000LL);
    free(p);
    refuse_190(&e, 2);
    mock_reply failed = {.status = 500, .body = "{}"};
    mock_upstream_script(e.mock, &failed);
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(state_of_spool(&e, "m-first", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 4);
    seen s = read_audit(&e);
    CHECK_INT(s.sent, 1);
    CHECK_INT(s.dead, 0);
    CHECK_INT(s.retry, 3);
    env_close(&e);
}

/* Give event_id's meta item a retry row whose first attempt was first_ms, as a spool written
 * by an earlier run would hold (the spool is closed and reopened around it). */
static void set_first_attempt(env *e, const char *event_id, int64_t first_ms)
{
    pw_spool_close(e->spool);
    e->spool = NULL;
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO retry(item, dest, next_attempt_ms, attempts, first_ms)"
             " SELECT ev.id * 64, dest.id, 0, 1, %lld FROM ev, dest"
             " WHERE ev.event_id = '%s' AND dest.name = 'meta'",
             (long long)first_ms, event_id);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(e->spool_path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_changes(db), 1);
    sqlite3_close(db);
    pw_spool_opts o = {.path = e->spool_path, .commit_interval_ms = 0};
    CHECK_INT(pw_spool_open(&o, &e->spool, NULL), PW_OK);
}

/* The window still closes 47 h after the first attempt that may have reached Meta, paused or
 * not: m-past (first tried 47 h 1 min ago) is dead-lettered at its lease without being sent
 * again; m-recent (accepted 50 h ago, first tried 46 h ago) is still retried and delivered.
 * Before, m-recent was dead-lettered too (its window ran from acceptance). */
static void test_meta_window_from_first_attempt(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "metawindow");
    int64_t now = pw_gw_now_ms();
    char *p = env_meta_event("m-past"), *q = env_meta_event("m-recent");
    put_raw(&e, "meta", "m-past", p, now - 50 * 3600000LL);
    put_raw(&e, "meta", "m-recent", q, now - 50 * 3600000LL);
    free(p);
    free(q);
    set_first_attempt(&e, "m-past", now - META_WINDOW_MS - 60000);
    set_first_attempt(&e, "m-recent", now - 46 * 3600000LL);
    mock_reply failed = {.status = 500, .body = "{}"};
    mock_upstream_script(e.mock, &failed);
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(state_of_spool(&e, "m-past", "meta"), PW_SPOOL_DEAD);
    char reason[256] = "";
    CHECK_INT(pw_spool_dead_reason(e.spool, "m-past", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK(strstr(reason, "retry window closed: first attempt 47 h ago") != NULL);
    CHECK_INT(state_of_spool(&e, "m-recent", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 2); /* m-recent alone: a 500, then delivered */
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++)
        CHECK(strstr(mock_upstream_request(e.mock, i)->body, "m-past") == NULL);
    seen s = read_audit(&e);
    CHECK_INT(s.sent, 1);
    CHECK_INT(s.dead, 1);
    env_close(&e);
}

/* A port nothing listens on: bound, then closed (a connection to it is refused). */
static unsigned closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The retry row of event_id's meta item: its attempts and first attempt (-1: no row). */
static void retry_row(env *e, const char *event_id, int64_t *attempts, int64_t *first_ms)
{
    *attempts = *first_ms = -1;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT retry.attempts, retry.first_ms FROM retry, ev, dest WHERE retry.item = "
             "ev.id * 64 AND retry.dest = dest.id AND ev.event_id = '%s' AND dest.name = 'meta'",
             event_id);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_open_v2(e->spool_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        *attempts = sqlite3_column_int64(st, 0);
        *first_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A request that never reached the upstream (the connection refused) is no attempt: the item's
 * retry row counts none and records no first attempt, so an outage of days cannot close the
 * retry window of an event the upstream never saw, and each such line in the audit says it was
 * not sent. Once the upstream answers, the event is delivered. Before, a refused connection
 * counted like a 5xx: attempts grew and the window started at the first refusal. */
static void test_unreached_is_no_attempt(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "unreached");
    char *p = env_meta_event("m-down");
    put_raw(&e, "meta", "m-down", p, 0);
    free(p);
    char down[64];
    snprintf(down, sizeof down, "http://127.0.0.1:%u", closed_port());
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    d.base_url = down;
    start(&e, &d);
    seen s = {0};
    for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS; s.retry < 3 && pw_gw_mono_ms() < until;
         usleep(20000)) {
        s = (seen){0};
        pw_audit_list_file(e.audit_path, NULL, see, &s, NULL);
    }
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK(s.retry >= 3);
    CHECK_INT(state_of_spool(&e, "m-down", "meta"), PW_SPOOL_QUEUED);
    int64_t attempts, first_ms;
    retry_row(&e, "m-down", &attempts, &first_ms);
    CHECK_INT(attempts, 0);
    CHECK_INT(first_ms, 0);
    CHECK(strstr(env_read_all(e.audit_path), "not sent (the upstream was not reached)") != NULL);
    /* the upstream is back: delivered, once */
    d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(state_of_spool(&e, "m-down", "meta"), PW_SPOOL_DELIVERED);
    CHECK_INT(mock_upstream_count(e.mock), 1);
    env_close(&e);
}

/* Probes take the oldest queued items: after the first refused request put all 20 back, every
 * probe carries the 10 oldest (p-00 … p-09), never the younger ones nor an event accepted
 * during the pause. Before, the spool handed out retries in order of their retry time, so the
 * second probe carried p-10 … p-19. */
#define N_OLD 20

static void test_probe_takes_oldest(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "oldest");
    put_leads(&e, "p-", N_OLD);
    mock_reply refused = {.status = 401, .body = "no"};
    for (int i = 0; i < 4; i++)
        mock_upstream_script(e.mock, &refused);
    char url[256];
    pw_destination d = hook_dest(&e, url, NULL);
    start(&e, &d);
    CHECK(wait_auth_paused(&e, "hook"));
    put_raw(&e, "hook", "p-new", "{\"event_name\":\"Lead\",\"event_id\":\"p-new\"}", 0);
    CHECK(drained(&e, "hook", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    size_t n_req = mock_upstream_count(e.mock);
    CHECK(n_req >= 5);
    CHECK_INT(env_occurrences(mock_upstream_request(e.mock, 0)->body, "\"event_id\""), N_OLD);
    for (size_t k = 1; k < 5 && k < n_req;
         k++) { /* the three refused probes and the accepted one */
        const char *body = mock_upstream_request(e.mock, k)->body;
        CHECK_INT(env_occurrences(body, "\"event_id\""), 10);
        for (int i = 0; i < N_OLD; i++) {
            char needle[40];
            snprintf(needle, sizeof needle, "\"event_id\":\"p-%02d\"", i);
            CHECK_INT(env_occurrences(body, needle), i < 10);
        }
    }
    seen s = read_audit(&e);
    CHECK_INT(s.sent, N_OLD + 1);
    CHECK_INT(s.dead, 0);
    env_close(&e);
}

static void test_auth_classification(void)
{
    CHECK(pw_fw_meta_code_auth(190));
    CHECK(pw_fw_meta_code_auth(102));
    CHECK(pw_fw_meta_code_auth(10));
    CHECK(pw_fw_meta_code_auth(200));
    CHECK(pw_fw_meta_code_auth(299));
    CHECK(!pw_fw_meta_code_auth(100));
    CHECK(!pw_fw_meta_code_auth(2));
    CHECK(!pw_fw_meta_code_auth(368));
    fw_request q;
    memset(&q, 0, sizeof q);
    fw_outcome out;
    q.http_status = 403;
    pw_fw_classify_http(&q, 1000, &out);
    CHECK_INT(out.verdict, FW_AUTH);
    q.http_status = 401;
    pw_fw_classify_http(&q, 1000, &out);
    CHECK_INT(out.verdict, FW_AUTH);
    q.http_status = 404;
    pw_fw_classify_http(&q, 1000, &out);
    CHECK_INT(out.verdict, FW_DEAD);
}

/* The time of the destination's last send mark (0: none). */
static int64_t mark_time(env *e)
{
    int64_t at = 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_open_v2(e->spool_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT at_ms FROM sending", -1, &st, NULL), SQLITE_OK);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        at = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return at;
}

/* The first attempt a retried item records is when its request went out, not its lease's start:
 * the cycle leases, triages, writes its "sending" records and its send mark — here a spool that
 * commits a lone request after 300 ms (commit_interval_ms) holds the send that long after the
 * mark's time — and only then sends. first_ms lies after the mark's time and no later than the
 * retry row was seen. Before, it was the lease's start, before the mark: the window started
 * early by the whole cycle's preparation (never late, which would be the unsafe side: past
 * Meta's 48 h from its first receipt). */
static void test_first_attempt_is_the_send(void)
{
    env e;
    env_open(&e, "gw_fw_auth", "first");
    pw_spool_close(e.spool);
    pw_spool_opts so = {.path = e.spool_path, .commit_interval_ms = 300};
    CHECK_INT(pw_spool_open(&so, &e.spool, NULL), PW_OK);
    char *p = env_meta_event("m-first");
    put_raw(&e, "meta", "m-first", p, 0);
    free(p);
    mock_reply fail = {.status = 500, .body = "{}", .retry_after_s = 3600}; /* one attempt only */
    mock_upstream_script(e.mock, &fail);
    pw_destination d = env_meta_dest(&e, "42", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
    start(&e, &d);
    int64_t attempts = -1, first_ms = -1;
    for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS; attempts < 1 && pw_gw_mono_ms() < until;
         usleep(20000))
        retry_row(&e, "m-first", &attempts, &first_ms);
    int64_t seen_ms = pw_gw_now_ms();
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    int64_t mark = mark_time(&e);
    CHECK_INT(attempts, 1);
    CHECK_INT(mock_upstream_count(e.mock), 1);
    CHECK(mark > 0);
    CHECK(first_ms > mark);
    CHECK(first_ms <= seen_ms);
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_auth_classification), PW_TEST(test_webhook_401_pauses_then_delivers),
             PW_TEST(test_meta_190_pauses_then_delivers), PW_TEST(test_meta_code_100_still_dead),
             PW_TEST(test_ga4_later_waves_not_sent), PW_TEST(test_meta_pause_past_retry_window),
             PW_TEST(test_meta_first_attempt_after_long_pause),
             PW_TEST(test_meta_window_from_first_attempt), PW_TEST(test_probe_takes_oldest),
             PW_TEST(test_unreached_is_no_attempt), PW_TEST(test_first_attempt_is_the_send))
