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

/* The environment with its audit log on the test's tmpfs (tag names it). */
static void env_open_on_tmpfs(env *e, const char *tag)
{
    env_open(e, "gw_fwd_handover", tag);
    pw_audit_close(e->audit);
    unlink(e->audit_path);
    snprintf(e->audit_path, sizeof e->audit_path, "%s/handover-%s.log", fs.dir, tag);
    CHECK_INT(pw_audit_open(e->audit_path, &e->audit, NULL), PW_OK);
}

static void test_sent_outcomes_survive_a_reload(void)
{
    env e;
    env_open_on_tmpfs(&e, "sent");
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

#define N_RETRIED    10
#define MARK_WAIT_MS 400 /* the spool's commit interval: the send mark waits this long */

/* Retries the replaced forwarders could not write keep the time their request went out as the
 * first attempt (it bounds Meta's 48 h deduplication window). The spool gathers commits for
 * 400 ms, so the send mark, between the lease and the request, holds the send 400 ms after the
 * lease. Before, the new forwarders wrote the retry rows with the lease's start as the first
 * attempt: 400 ms before the upstream had the events. */
static void test_adopted_retries_keep_their_send_time(void)
{
    env e;
    env_open_on_tmpfs(&e, "retry");
    pw_spool_close(e.spool);
    pw_spool_opts so = {.path = e.spool_path, .commit_interval_ms = MARK_WAIT_MS};
    CHECK_INT(pw_spool_open(&so, &e.spool, NULL), PW_OK);
    pw_spool_put_item items[N_RETRIED];
    char ids[N_RETRIED][16], payloads[N_RETRIED][64];
    for (int i = 0; i < N_RETRIED; i++) {
        snprintf(ids[i], sizeof ids[i], "retry-%02d", i);
        snprintf(payloads[i], sizeof payloads[i], "{\"event_name\":\"Lead\",\"event_id\":\"%s\"}",
                 ids[i]);
        items[i] = (pw_spool_put_item){ids[i], "hook", payloads[i], strlen(payloads[i]), 0, 0};
    }
    CHECK_INT(pw_spool_put(e.spool, items, N_RETRIED, NULL), PW_OK); /* one commit */
    char url[128];
    snprintf(url, sizeof url, "%s/hook", mock_upstream_base(e.mock));
    pw_destination d = {
        .name = "hook", .kind = PW_DEST_WEBHOOK, .url = url, .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    mock_reply failing = {.status = 500, .delay_ms = 2000}; /* retried; time to fill the disk */
    mock_upstream_script(e.mock, &failing);
    /* The retry is due in 10 minutes: nothing is sent again while the test looks. */
    pw_forward_opts o = {
        .retry_base_ms = 600000, .retry_max_ms = 600000, .poll_ms = 10, .lease_ms = 60000};
    pw_forwarders *a = NULL;
    int64_t leased_after = pw_gw_now_ms();
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &a, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    int64_t received_by = pw_gw_now_ms();
    gw_tmpfs_fill(&fs, 0);
    CHECK(audit_failures_reach(a, 1)); /* answered 500; its "retry" records refused */

    pw_forward_unsettled *left = NULL;
    pw_forwarders_stop_keep(a, NULL, NULL, &left);
    CHECK_INT(pw_forward_unsettled_records(left), N_RETRIED);
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    pw_forwarders_adopt(e.fw, left);
    gw_tmpfs_free_filler(&fs);
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (pw_forwarders_unsettled(e.fw) && pw_gw_mono_ms() < until)
        usleep(2000);
    CHECK_INT(pw_forwarders_unsettled(e.fw), 0);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT(mock_upstream_count(e.mock), 1);
    CHECK_INT(count_records(e.audit_path, "\"action\":\"retry\""), N_RETRIED);

    pw_spool_item *got = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease_all(e.spool, "hook", 100, &got, &n, NULL), PW_OK);
    CHECK_INT(n, N_RETRIED);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(got[i].attempts, 2); /* the failed one, and this lease */
        /* sent after the mark's wait, before the mock had it; not the lease's start */
        CHECK(got[i].sent_ms >= leased_after + MARK_WAIT_MS - 50);
        CHECK(got[i].sent_ms <= received_by);
    }
    pw_spool_items_free(got, n);
    env_close(&e);
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_sent_outcomes_survive_a_reload),
              PW_TEST(test_adopted_retries_keep_their_send_time))
