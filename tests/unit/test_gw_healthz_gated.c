/*
 * test_gw_healthz_gated.c — a destination gated after a reload changed its endpoint (nothing is
 * sent to the new endpoint until the queue accepted for the old one is dead-lettered) shows in
 * /healthz (503, a reason naming it) and in /metrics (phiwall_gateway_delivery_gated 1) for as
 * long as the dead-lettering cannot finish — here the audit log, on a full tmpfs of the test's
 * own, refuses the dead letters' records — and both clear once it has. Before, the gate showed
 * only as a warn line at the reload. Skipped (exit 77) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

static gw_tmpfs fs;
static gw_test_dir td;

#define EVENT                                                                                    \
    "{\"event_id\":\"33333333-3333-4333-8444-0000000000%02d\",\"name\":\"appointment_request\"," \
    "\"time\":%lld,\"page_url\":\"https://www.example-hospital.org/a\","                         \
    "\"consent\":{\"ads\":true,\"analytics\":true},\"params\":{\"value\":1}}"

#define N_OLD 20

static const char GATED_METRIC[] = "phiwall_gateway_delivery_gated{destination=\"hook\"} 1";
static const char UNGATED_METRIC[] = "phiwall_gateway_delivery_gated{destination=\"hook\"} 0";

static void test_gated_destination_in_healthz(void)
{
    CHECK(gw_test_dir_make(&td, "gated"));
    snprintf(td.audit, sizeof td.audit, "%s/audit.log", fs.dir);
    mock_upstream *m = mock_upstream_start();
    gw_test_hook_config(&td, "http://127.0.0.1:9/old"); /* refuses: the event stays queued */
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);
    static char body[1024], reply[1 << 18];
    /* 20 events: their 20 dead records do not fit in the audit file's last page (a full tmpfs
     * still takes an append that does). */
    for (int i = 1; i <= N_OLD; i++) {
        snprintf(body, sizeof body, EVENT, i, (long long)pw_gw_now_ms());
        CHECK_INT(gw_test_request(port, "/e", body, reply, sizeof reply), 200);
    }
    int64_t until = pw_gw_mono_ms() + 60000;
    while (!gw_test_file_count(td.audit, "\"action\":\"retry\"") && pw_gw_mono_ms() < until)
        usleep(5000);
    CHECK(gw_test_file_count(td.audit, "\"action\":\"retry\""));
    CHECK_INT(gw_test_request(port, "/metrics", NULL, reply, sizeof reply), 200);
    CHECK(strstr(reply, UNGATED_METRIC) != NULL);

    /* The audit disk fills, then a reload points the hook elsewhere: its old queue cannot be
     * dead-lettered (no record can be written), so the new forwarder stays gated. */
    gw_tmpfs_fill(&fs, 0);
    char url[128];
    snprintf(url, sizeof url, "%s/new", mock_upstream_base(m));
    gw_test_hook_config(&td, url);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    CHECK_INT(gw_test_request(port, "/healthz", NULL, reply, sizeof reply), 503);
    CHECK(strstr(reply, "delivery: hook gated (its endpoint changed") != NULL);
    CHECK_INT(gw_test_request(port, "/metrics", NULL, reply, sizeof reply), 200);
    CHECK(strstr(reply, GATED_METRIC) != NULL);

    /* Room again: the next sweep dead-letters the old queue and opens the gate. */
    gw_tmpfs_free_filler(&fs);
    long status = 0;
    until = pw_gw_mono_ms() + 60000;
    do {
        pw_gw_server_settle_removed(s); /* the gateway's sweep, every few seconds */
        usleep(20000);
        status = gw_test_request(port, "/healthz", NULL, reply, sizeof reply);
    } while (status != 200 && pw_gw_mono_ms() < until);
    CHECK_INT(status, 200);
    CHECK_INT(gw_test_request(port, "/metrics", NULL, reply, sizeof reply), 200);
    CHECK(strstr(reply, UNGATED_METRIC) != NULL);
    pw_gw_server_stop(s);
    CHECK(gw_test_file_count(td.audit, "destination endpoint changed by a policy reload"));
    for (size_t i = 0; i < mock_upstream_count(m); i++) /* the old backlog never went there */
        CHECK(strstr(mock_upstream_request(m, i)->body, "33333333-3333-4333-8444") == NULL);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_gated_destination_in_healthz))
