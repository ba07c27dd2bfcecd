/*
 * test_gw_forward_intent.c — no event leaves before a durable record of it: while the upstream
 * holds a request (the mock answers late), the audit log already has a "sending" record for each
 * of its events, naming the destination and the SHA-256 of the exact bytes sent; the "sent"
 * record follows once the answer came. A gateway killed at that moment (kill -9, power) leaves
 * that trace: without it, the disclosure had no record at all.
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

PW_TEST_MAIN(PW_TEST(test_sending_recorded_before_the_request_leaves))
