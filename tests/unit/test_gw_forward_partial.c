/*
 * test_gw_forward_partial.c — a Meta answer 200 whose events_received is less than the events
 * sent: the events are recorded "sent" (they were disclosed) with detail "partial:
 * events_received=N of M messages=[…] fbtrace_id=…", counted in the forwarder's stats
 * (partial), and a full answer is recorded as before.
 */
#include "../mock/mock_upstream.c"

#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "forward_internal.h"
#include "gw_time.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

typedef struct details {
    size_t sent, partial;
    char first[400];
} details;

static int see(const pw_audit_entry *en, void *ctx)
{
    details *d = ctx;
    if (strcmp(en->action, "sent") != 0 || !en->detail)
        return 0;
    d->sent++;
    if (strncmp(en->detail, "partial: ", 9) == 0 && d->partial++ == 0)
        snprintf(d->first, sizeof d->first, "%s", en->detail);
    return 0;
}

static void test_meta_partial_answer_flagged(void)
{
    env e;
    env_open(&e, "gw_fw_partial", "meta");
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "p-%d", i);
        char *p = env_meta_event(id);
        put_raw(&e, "meta", id, p, 0);
        free(p);
    }
    mock_reply partial = {.status = 200,
                          .body = "{\"events_received\":2,\"messages\":[\"event 3: invalid "
                                  "parameter\"],\"fbtrace_id\":\"TracePartial\"}"};
    mock_upstream_script(e.mock, &partial);
    pw_destination d = env_meta_dest(&e, "42", "tok-PARTIAL", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 1);

    /* A later full answer (the mock's default) is recorded as before. */
    char *p = env_meta_event("p-full");
    put_raw(&e, "meta", "p-full", p, 0);
    free(p);
    pw_forwarders_notify(e.fw);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forward_stats s;
    CHECK_INT(pw_forwarders_stats(e.fw, "meta", &s), PW_OK);
    CHECK_INT(s.partial, 1);
    CHECK_INT(s.sent, 4);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;

    details got = {0};
    CHECK_INT(pw_audit_list_file(e.audit_path, NULL, see, &got, NULL), PW_OK);
    CHECK_INT(got.sent, 4);
    CHECK_INT(got.partial, 3);
    CHECK_STR(got.first, "partial: events_received=2 of 3 messages=[\"event 3: invalid "
                         "parameter\"] fbtrace_id=TracePartial");
    env_close(&e);
}

static void test_parse_messages(void)
{
    pw_meta_response m;
    const char *ok = "{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"T\"}";
    CHECK(pw_fw_parse_meta_response(ok, strlen(ok), &m));
    CHECK_INT(m.events_received, 1);
    CHECK_STR(m.messages, "[]");
    const char *none = "{\"events_received\":1}";
    CHECK(pw_fw_parse_meta_response(none, strlen(none), &m));
    CHECK_STR(m.messages, "");
}

PW_TEST_MAIN(PW_TEST(test_parse_messages), PW_TEST(test_meta_partial_answer_flagged))
