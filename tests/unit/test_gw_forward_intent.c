/*
 * test_gw_forward_intent.c — no event leaves before a durable record of it: while the upstream
 * holds a request (the mock answers late), the audit log already has a "sending" record for each
 * of its events, naming the destination and the SHA-256 of the exact bytes sent; the "sent"
 * record follows once the answer came. A gateway killed at that moment (kill -9, power) leaves
 * that trace: without it, the disclosure had no record at all. The spool holds the same trace
 * (pw_spool_mark_sending): reopened in that state, it counts the event as attempted.
 */
#include "../mock/mock_upstream.c"

#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "gw_time.h"
#include "gw_test_fwenv.h"
#include "phiwall/text.h"
#include "pw_test.h"
#include "spool.h"

static char *meta_event(const char *id)
{
    char *s = malloc(512);
    snprintf(s, 512,
             "{\"event_name\":\"Lead\",\"event_time\":%lld,\"event_id\":\"%s\",\"action_source\":"
             "\"website\",\"user_data\":{\"external_id\":"
             "\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"}}",
             (long long)(pw_gw_now_ms() / 1000) - 30, id);
    return s;
}

typedef struct seen {
    size_t sending, sent, sending_before_sent;
    char sending_sha[65], dest[32];
} seen;

static int see(const pw_audit_entry *en, void *ctx)
{
    seen *s = ctx;
    if (strcmp(en->action, "sending") == 0) {
        s->sending++;
        s->sending_before_sent += s->sent == 0;
        snprintf(s->sending_sha, sizeof s->sending_sha, "%s",
                 en->payload_sha256 ? en->payload_sha256 : "");
        snprintf(s->dest, sizeof s->dest, "%s", en->destination ? en->destination : "");
    } else if (strcmp(en->action, "sent") == 0) {
        s->sent++;
    }
    return 0;
}

static seen read_log(const env *e)
{
    seen s = {0};
    CHECK_INT(pw_audit_list_file(e->audit_path, NULL, see, &s, NULL), PW_OK);
    return s;
}

static void test_sending_recorded_before_the_request_leaves(void)
{
    env e;
    env_open(&e, "gw_fw_intent", "meta");
    char *p = meta_event("intent-1");
    put_raw(&e, "meta", "intent-1", p, 0);
    mock_reply slow = {.status = 200,
                       .body = "{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"T\"}",
                       .delay_ms = 1200};
    mock_upstream_script(e.mock, &slow);
    pw_destination d = env_meta_dest(&e, "42", "tok-INTENT", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));

    /* The upstream has the event and has not answered: the log already says so, durably. */
    seen during = read_log(&e);
    CHECK_INT(during.sending, 1);
    CHECK_INT(during.sent, 0);
    CHECK_STR(during.dest, "meta");
    char want[65];
    pw_sha256_hex(p, strlen(p), want);
    CHECK_STR(during.sending_sha, want);

    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    seen after = read_log(&e);
    CHECK_INT(after.sending, 1);
    CHECK_INT(after.sent, 1);
    CHECK_INT(after.sending_before_sent, 1);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(e.audit_path, &res, NULL), PW_OK);
    free(p);
    env_close(&e);
}

/* Copy file from to to (a snapshot of the spool as a kill -9 would leave it); 0 on failure. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out)
        ok &= fclose(out) == 0;
    return ok;
}

/* The spool too knows, before the request leaves, that its events may reach Meta: the spool's
 * files as they are while the upstream holds the request (what a kill -9 at that moment leaves)
 * open with the event counted as attempted, its retry window starting at the send. Before, the
 * lease lived only in memory and the event came back as attempt 1 with no window. */
static void test_spool_marks_the_send(void)
{
    env e;
    env_open(&e, "gw_fw_intent", "mark");
    char *p = meta_event("mark-1");
    put_raw(&e, "meta", "mark-1", p, 0);
    free(p);
    mock_reply slow = {.status = 200,
                       .body = "{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"T\"}",
                       .delay_ms = 2500};
    mock_upstream_script(e.mock, &slow);
    pw_destination d = env_meta_dest(&e, "42", "tok-INTENT", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    int64_t started = pw_gw_now_ms();
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    int64_t received = pw_gw_now_ms();

    char copy[280], from[300], to[300];
    snprintf(copy, sizeof copy, "%s.crash", e.spool_path);
    gw_test_db_remove(copy);
    snprintf(from, sizeof from, "%s-wal", e.spool_path);
    snprintf(to, sizeof to, "%s-wal", copy);
    CHECK(copy_file(e.spool_path, copy) && copy_file(from, to));
    pw_spool_opts so = {.path = copy};
    pw_spool *crashed = NULL;
    CHECK_INT(pw_spool_open(&so, &crashed, NULL), PW_OK);
    pw_spool_item *it = NULL;
    size_t n = 0;
    if (crashed)
        CHECK_INT(pw_spool_lease(crashed, "meta", 10, 60000, &it, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(it[0].attempts, 2);
        CHECK(it[0].sent_ms >= started && it[0].sent_ms <= received);
    }
    pw_spool_items_free(it, n);
    pw_spool_close(crashed);
    gw_test_db_remove(copy);

    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_sending_recorded_before_the_request_leaves),
             PW_TEST(test_spool_marks_the_send))
