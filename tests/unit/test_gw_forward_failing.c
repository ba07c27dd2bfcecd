/*
 * test_gw_forward_failing.c — an upstream that fails every request (HTTP 500 here; 429, timeouts
 * and refused connections take the same path) puts the destination in the failing state: its
 * events stay queued, the state shows in the stats (PW_FORWARD_PAUSED_FAILING), one warn is
 * logged, and until a request is delivered each cycle sends one probe of at most 10 items. So a
 * long outage with a deep queue adds a few audit records per backoff step, not two per queued
 * event (which filled the disk the spool and the audit log share and stopped delivery for good).
 * Once the upstream answers 2xx every event is delivered exactly once and "delivery resumed" is
 * logged.
 */
#include "../mock/mock_upstream.c"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "gw_time.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

#define N_QUEUED 200
#define N_FAILED 6 /* requests answered 500 before the upstream recovers */

static void test_outage_probes_then_delivers(void)
{
    env e;
    env_open(&e, "gw_fw_failing", "hook");
    for (int i = 0; i < N_QUEUED; i++) {
        char id[16], p[128];
        snprintf(id, sizeof id, "f-%03d", i);
        snprintf(p, sizeof p, "{\"event_name\":\"Lead\",\"event_id\":\"%s\"}", id);
        put_raw(&e, "hook", id, p, 0);
    }
    mock_reply down = {.status = 500, .body = "upstream down"};
    for (int i = 0; i < N_FAILED; i++)
        mock_upstream_script(e.mock, &down);
    char url[256];
    snprintf(url, sizeof url, "%s/hook", mock_upstream_base(e.mock));
    pw_destination d = {.name = "hook",
                        .kind = PW_DEST_WEBHOOK,
                        .url = url,
                        .bearer_token = "t",
                        .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    env_capture cap;
    CHECK(env_capture_start(&cap, &e));
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);

    int seen_failing = 0;
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
         !seen_failing && pw_gw_mono_ms() < until; usleep(1000))
        seen_failing = env_paused_of(&e, "hook") == PW_FORWARD_PAUSED_FAILING;
    CHECK(seen_failing);
    CHECK(drained(&e, "hook", GW_TEST_WAIT_MS));
    CHECK_INT(env_paused_of(&e, "hook"), 0);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    const char *log = env_capture_end(&cap);
    CHECK_INT(env_occurrences(log, "delivery failing"), 1);
    CHECK(strstr(log, "http 500") != NULL);
    CHECK(strstr(log, "delivery resumed") != NULL);

    /* The first cycle's two requests (a webhook request carries 100 events) carried the whole
     * queue; every later failed one is a probe of <= 10. */
    size_t n_req = mock_upstream_count(e.mock);
    CHECK(n_req > N_FAILED);
    CHECK_INT(env_occurrences(mock_upstream_request(e.mock, 0)->body, "\"event_id\""), 100);
    CHECK_INT(env_occurrences(mock_upstream_request(e.mock, 1)->body, "\"event_id\""), 100);
    for (size_t i = 2; i < N_FAILED; i++)
        CHECK(env_occurrences(mock_upstream_request(e.mock, i)->body, "\"event_id\"") <= 10);
    /* Every event delivered exactly once, by the requests after the outage. */
    size_t delivered = 0;
    for (size_t k = N_FAILED; k < n_req; k++)
        delivered += env_occurrences(mock_upstream_request(e.mock, k)->body, "\"event_id\"");
    CHECK_INT(delivered, N_QUEUED);
    /* Audit: a "retry" per event of the first cycle, at most 10 per probe after it (without the
     * probes: two per event, 400 more, and on for as long as the outage lasts). */
    size_t retries = count_records(e.audit_path, "\"action\":\"retry\"");
    CHECK(retries >= N_QUEUED && retries <= N_QUEUED + 10 * (N_FAILED - 2));
    CHECK_INT(count_records(e.audit_path, "\"action\":\"sent\""), N_QUEUED);
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_outage_probes_then_delivers))
