/*
 * test_gw_forward_handover.c — outcomes of deliveries the forwarders could not write before a
 * stop (a reload) are handed to the next forwarders, which write them before leasing anything.
 * Before, they were dropped at the stop: the rows' leases ran out and the next forwarders sent
 * the events again — counted twice by a webhook or GA4, which do not deduplicate. The audit log
 * sits on a small tmpfs of the test's own, filled while the upstream holds its answer, so that
 * the "sending" records are written, the request delivered, and the "sent" records refused.
 * Skipped (passes, saying so) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include "../mock/mock_upstream.c"

#include "audit.h"
#include "forward.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"
#include "gw_test_fwenv.h"

static gw_tmpfs fs;

#define N_EVENTS 30

static pw_forward_stats stats(pw_forwarders *f)
{
    pw_forward_stats s;
    memset(&s, 0, sizeof s);
    pw_forwarders_stats(f, "hook", &s);
    return s;
}

/* Poll until the forwarders' audit failures reach n; 1 when they did. */
static int audit_failures_reach(pw_forwarders *f, unsigned long long n)
{
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (stats(f).audit_failures < n && pw_gw_mono_ms() < until)
        usleep(5000);
    return stats(f).audit_failures >= n;
}

static void test_sent_outcomes_survive_a_reload(void)
{
    env e;
    env_open(&e, "gw_fwd_handover", "sent");
    pw_audit_close(e.audit);
    unlink(e.audit_path);
    snprintf(e.audit_path, sizeof e.audit_path, "%s/handover-audit.log", fs.dir);
    CHECK_INT(pw_audit_open(e.audit_path, &e.audit, NULL), PW_OK);
    /* 30 "sent" records listing 12 fields each: far more than the slack of the log's last page. */
    for (int i = 0; i < N_EVENTS; i++) {
        char id[16], payload[512];
        snprintf(id, sizeof id, "hand-%02d", i);
        int len =
            snprintf(payload, sizeof payload, "{\"event_name\":\"Lead\",\"event_id\":\"%s\"", id);
        for (int k = 0; k < 10; k++)
            len += snprintf(payload + len, sizeof payload - (size_t)len,
                            ",\"appointment_field_%02d\":%d", k, k);
        snprintf(payload + len, sizeof payload - (size_t)len, "}");
        put_raw(&e, "hook", id, payload, 0);
    }
    char url[128];
    snprintf(url, sizeof url, "%s/hook", mock_upstream_base(e.mock));
    pw_destination d = {
        .name = "hook", .kind = PW_DEST_WEBHOOK, .url = url, .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    /* The answer waits until the disk is full (the test fills it as soon as the request is in). */
    mock_reply slow = {.status = 200, .delay_ms = 3000};
    mock_upstream_script(e.mock, &slow);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10, .lease_ms = 300};
    pw_forwarders *a = NULL;
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &a, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    gw_tmpfs_fill(&fs, 0);
    CHECK(audit_failures_reach(a, 1)); /* delivered; its "sent" records refused */
    CHECK_INT(stats(a).sent, 0);
    CHECK_INT(count_records(e.audit_path, "\"action\":\"sending\""), N_EVENTS);

    /* The reload: the old forwarders stop with the outcomes unwritten, the new ones adopt them. */
    pw_forward_unsettled *left = NULL;
    pw_forwarders_stop_keep(a, NULL, NULL, &left);
    CHECK_INT(pw_forward_unsettled_records(left), N_EVENTS);
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    pw_forwarders_adopt(e.fw, left);
    /* Long past the 300 ms lease: retried with backoff 100, 200, 400 ms… while the disk is full. */
    CHECK(audit_failures_reach(e.fw, 4));
    CHECK_INT(pw_forwarders_unsettled(e.fw), N_EVENTS);
    CHECK_INT(stats(e.fw).paused, PW_FORWARD_PAUSED_AUDIT);

    gw_tmpfs_free_filler(&fs);
    CHECK(drained(&e, "hook", GW_TEST_WAIT_MS));
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS; /* popped just after the spool's commit */
    while (pw_forwarders_unsettled(e.fw) && pw_gw_mono_ms() < until)
        usleep(2000);
    CHECK_INT(pw_forwarders_unsettled(e.fw), 0);
    CHECK_INT(mock_upstream_count(e.mock), 1); /* not sent again */
    CHECK_INT(count_records(e.audit_path, "\"action\":\"sent\""), N_EVENTS);
    CHECK_INT(count_records(e.audit_path, "\"action\":\"sending\""), N_EVENTS);
    CHECK_INT(stats(e.fw).sent, N_EVENTS);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(e.audit_path, &res, NULL), PW_OK);
    env_close(&e);
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_sent_outcomes_survive_a_reload))
