/*
 * test_gw_reload_gate_restart.c — a gateway stopped while a destination is gated (a reload moved
 * it to another endpoint, and its old queue could not be dead-lettered yet: the audit log, on a
 * full tmpfs of the test's own, refuses the dead letters' records) finishes that sweep at its
 * next start, before the destination's forwarder runs: the old queue is dead-lettered and never
 * reaches the new endpoint, and events accepted after the restart are delivered there. Before,
 * the gate lived only in memory: the restart sent the old endpoint's backlog to the new one.
 * Skipped (exit 77) where mounting a tmpfs is not permitted.
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
    "{\"event_id\":\"55555555-5555-4555-8555-0000000000%02d\",\"name\":\"appointment_request\"," \
    "\"time\":%lld,\"page_url\":\"https://www.example-hospital.org/a\","                         \
    "\"consent\":{\"ads\":true,\"analytics\":true},\"params\":{\"value\":1}}"

#define N_OLD 20

static long post_event(unsigned port, int n)
{
    static char body[1024], reply[4096];
    snprintf(body, sizeof body, EVENT, n, (long long)pw_gw_now_ms());
    return gw_test_request(port, "/e", body, reply, sizeof reply);
}

static int sent_anywhere(mock_upstream *m, const char *needle)
{
    for (size_t i = 0; i < mock_upstream_count(m); i++)
        if (strstr(mock_upstream_request(m, i)->body, needle))
            return 1;
    return 0;
}

static void test_restart_while_gated(void)
{
    CHECK(gw_test_dir_make(&td, "gate_restart"));
    snprintf(td.audit, sizeof td.audit, "%s/audit.log", fs.dir);
    mock_upstream *m = mock_upstream_start();
    gw_test_hook_config(&td, "http://127.0.0.1:9/old"); /* refuses: the events stay queued */
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    /* 20 events: their 20 dead records do not fit in the audit file's last page (a full tmpfs
     * still takes an append that does). */
    for (int i = 1; i <= N_OLD; i++)
        CHECK_INT(post_event(pw_gw_server_port(s), i), 200);
    int64_t until = pw_gw_mono_ms() + 60000;
    while (!gw_test_file_count(td.audit, "\"action\":\"retry\"") && pw_gw_mono_ms() < until)
        usleep(5000);

    /* The audit disk fills, a reload points the hook elsewhere: gated, and it stops so. */
    gw_tmpfs_fill(&fs, 0);
    char url[128];
    snprintf(url, sizeof url, "%s/new", mock_upstream_base(m));
    gw_test_hook_config(&td, url);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    pw_gw_server_settle_removed(s);
    pw_gw_server_stop(s);
    CHECK_INT(gw_test_file_count(td.audit, "destination endpoint changed by a policy reload"), 0);

    /* Room again, and the next start with the same policy. */
    gw_tmpfs_free_filler(&fs);
    s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    CHECK_INT(post_event(pw_gw_server_port(s), 99), 200);
    until = pw_gw_mono_ms() + 60000;
    while (!sent_anywhere(m, "55555555-5555-4555-8555-000000000099") && pw_gw_mono_ms() < until)
        usleep(20000);
    usleep(300000);
    pw_gw_server_stop(s);
    CHECK(sent_anywhere(m, "55555555-5555-4555-8555-000000000099"));
    for (int i = 1; i <= N_OLD; i++) {
        char id[64];
        snprintf(id, sizeof id, "55555555-5555-4555-8555-0000000000%02d\"", i);
        CHECK(!sent_anywhere(m, id)); /* the old backlog never reached /new */
    }
    CHECK_INT(gw_test_file_count(td.audit, "destination endpoint changed by a policy reload"),
              N_OLD);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_restart_while_gated))
