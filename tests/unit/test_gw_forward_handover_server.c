/*
 * test_gw_forward_handover_server.c — the hand-over of unwritten delivery outcomes across a
 * reload, through the whole gateway (pw_gw_server_reload: the replaced forwarders stop keeping
 * their outcomes, the new ones adopt them and write them before leasing anything). The webhook
 * takes a batch of 20 events while the audit log's tmpfs fills, so their "sent" records are
 * refused and the forwarder pauses; a SIGHUP-style reload replaces it; once there is room the
 * records are written, the rows acked, and nothing is sent again. test_gw_forward_handover
 * covers the forwarders' side alone; this checks that the gateway wires it (a reload that
 * dropped the kept outcomes would have the 20 events sent twice once their lease ran out, or
 * never recorded "sent"). Skipped (exit 77) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "audit.h"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

static gw_tmpfs fs;
static gw_test_dir td;

#define N_EVENTS 20

/* GET path until its answer holds needle (and its status is want, if want); 1 when it did. */
static int wait_answer(unsigned port, const char *path, long want, const char *needle)
{
    static char reply[1 << 18];
    int64_t until = pw_gw_mono_ms() + 60000;
    do {
        long status = gw_test_request(port, path, NULL, reply, sizeof reply);
        if ((!want || status == want) && (!needle || strstr(reply, needle)))
            return 1;
        usleep(20000);
    } while (pw_gw_mono_ms() < until);
    return 0;
}

static void test_outcomes_handed_over_by_a_reload(void)
{
    CHECK(gw_test_dir_make(&td, "handover"));
    snprintf(td.audit, sizeof td.audit, "%s/audit.log", fs.dir);
    mock_upstream *m = mock_upstream_start();
    char url[128];
    snprintf(url, sizeof url, "%s/hook", mock_upstream_base(m));
    gw_test_hook_config(&td, url);
    /* Answers once the disk is full (within the request timeout: 30 s, gw_test_hook.h). */
    mock_reply slow = {.status = 200, .delay_ms = 2500};
    mock_upstream_script(m, &slow);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);

    /* One batch of 20 events: one put, one lease, one webhook request. */
    static char body[16384], reply[4096];
    size_t len = (size_t)snprintf(body, sizeof body, "{\"events\":[");
    for (int i = 0; i < N_EVENTS; i++)
        len += (size_t)snprintf(
            body + len, sizeof body - len,
            "%s{\"event_id\":\"44444444-4444-4444-8444-0000000000%02d\",\"name\":"
            "\"appointment_request\",\"time\":%lld,\"page_url\":"
            "\"https://www.example-hospital.org/a\",\"consent\":{\"ads\":true,\"analytics\":"
            "true},\"params\":{\"value\":%d}}",
            i ? "," : "", i, (long long)pw_gw_now_ms(), i);
    snprintf(body + len, sizeof body - len, "]}");
    CHECK_INT(gw_test_request(port, "/e", body, reply, sizeof reply), 200);
    CHECK(mock_upstream_wait(m, 1, 60000));
    gw_tmpfs_fill(&fs, 0);
    /* Delivered, its 20 "sent" records refused: the forwarder keeps them and pauses. */
    CHECK(wait_answer(port, "/healthz", 503, "delivery: hook paused (audit log not writable)"));
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sent\""), 0);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sending\""), N_EVENTS);

    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK); /* the forwarders are replaced */
    CHECK(wait_answer(port, "/healthz", 503, "delivery: hook paused (audit log not writable)"));
    gw_tmpfs_free_filler(&fs);
    CHECK(
        wait_answer(port, "/metrics", 200, "phiwall_gateway_spool_depth{destination=\"hook\"} 0"));
    CHECK(wait_answer(port, "/healthz", 200, NULL));
    usleep(300000); /* nothing is sent again */
    CHECK_INT(mock_upstream_count(m), 1);
    pw_gw_server_stop(s);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sent\""), N_EVENTS);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sending\""), N_EVENTS);
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(td.audit, &vr, &err), PW_OK);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_outcomes_handed_over_by_a_reload))
