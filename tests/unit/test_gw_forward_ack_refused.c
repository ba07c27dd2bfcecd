/*
 * test_gw_forward_ack_refused.c — the spool refusing a delivery's ack, on its own (no full disk):
 * another connection holds the spool's write lock while the upstream answers, so the ack's
 * commit fails (busy). The forwarder keeps the outcome, shows the pause (PW_FORWARD_PAUSED_SPOOL,
 * spool_failures counted), retries the ack with backoff and writes it once the lock is gone; the
 * events are sent once, although their leases (1 s here) ran out meanwhile. Were a refused ack
 * dropped, the rows would come back when their lease ran out and be sent again.
 */
#include "../mock/mock_upstream.c"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "gw_test_fwenv.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

#define N_EVENTS 5

static pw_forward_stats stats(pw_forwarders *f)
{
    pw_forward_stats s;
    memset(&s, 0, sizeof s);
    pw_forwarders_stats(f, "meta", &s);
    return s;
}

static int count_sent(const pw_audit_entry *en, void *ctx)
{
    *(size_t *)ctx += strcmp(en->action, "sent") == 0;
    return 0;
}

static void test_refused_ack_is_retried_not_resent(void)
{
    env e;
    env_open(&e, "gw_fw_ackref", "meta");
    char id[32];
    for (int i = 0; i < N_EVENTS; i++) {
        snprintf(id, sizeof id, "ackref-%d", i);
        char *p = env_meta_event(id);
        put_raw(&e, "meta", id, p, 0);
        free(p);
    }
    mock_reply held = {.status = 200,
                       .body = "{\"events_received\":5,\"messages\":[],\"fbtrace_id\":\"A\"}",
                       .delay_ms = 300};
    mock_upstream_script(e.mock, &held);
    pw_destination d = env_meta_dest(&e, "42", "tok-ACKREF", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10, .lease_ms = 1000};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));

    /* The request is out (its mark written): take the spool's write lock before the answer. */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(e.spool_path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    CHECK_INT(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (stats(e.fw).spool_failures == 0 && pw_gw_mono_ms() < until)
        usleep(10000);
    pw_forward_stats during = stats(e.fw);
    CHECK(during.spool_failures >= 1);
    CHECK_INT(during.paused, PW_FORWARD_PAUSED_SPOOL);
    CHECK_INT(during.sent, N_EVENTS); /* recorded in the audit log, not yet in the spool */
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(e.spool, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, N_EVENTS);
    usleep(1200000); /* the leases run out while the ack waits */
    CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (stats(e.fw).paused && pw_gw_mono_ms() < until)
        usleep(5000);
    CHECK_INT(stats(e.fw).paused, 0);
    usleep(300000); /* nothing is sent again */
    CHECK_INT(mock_upstream_count(e.mock), 1);
    for (int i = 0; i < N_EVENTS; i++) {
        snprintf(id, sizeof id, "ackref-%d", i);
        int state = -1;
        CHECK_INT(pw_spool_state(e.spool, id, "meta", &state, NULL), PW_OK);
        CHECK_INT(state, PW_SPOOL_DELIVERED);
    }
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    size_t sent = 0;
    CHECK_INT(pw_audit_list_file(e.audit_path, NULL, count_sent, &sent, NULL), PW_OK);
    CHECK_INT(sent, N_EVENTS);
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_refused_ack_is_retried_not_resent))
