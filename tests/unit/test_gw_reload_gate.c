/*
 * test_gw_reload_gate.c — a reload that moves a destination to another endpoint while the old
 * forwarder's request is in flight (the reload waits for it): the queue accepted for the old
 * endpoint is dead-lettered and never reaches the new one, while an event accepted under the new
 * policy during that wait is delivered to the new endpoint once the gate opens. Before, the
 * sweep after the wait leased every queued row of the destination: the new event was answered
 * 200 and then dead-lettered as "endpoint changed ... not delivered to the new one".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

static gw_test_dir td;
static unsigned port;
static long late_status;

#define EVENT                                                                                    \
    "{\"event_id\":\"44444444-4444-4444-8444-0000000000%02d\",\"name\":\"appointment_request\"," \
    "\"time\":%lld,\"page_url\":\"https://www.example-hospital.org/a\","                         \
    "\"consent\":{\"ads\":true,\"analytics\":true},\"params\":{\"value\":1}}"

static long post_event(int n)
{
    char body[1024], reply[4096];
    snprintf(body, sizeof body, EVENT, n, (long long)pw_gw_now_ms());
    return gw_test_request(port, "/e", body, reply, sizeof reply);
}

static void *late_post(void *arg)
{
    (void)arg;
    usleep(1000000); /* the reload is waiting for the held request by now */
    late_status = post_event(99);
    return NULL;
}

/* Did a request to a url containing path carry event n? */
static int sent_to(mock_upstream *m, const char *path, int n)
{
    char id[64];
    snprintf(id, sizeof id, "44444444-4444-4444-8444-0000000000%02d", n);
    for (size_t i = 0; i < mock_upstream_count(m); i++) {
        const mock_request *r = mock_upstream_request(m, i);
        if (strstr(r->url, path) && r->body && strstr(r->body, id))
            return 1;
    }
    return 0;
}

static void test_new_event_waits_for_the_new_endpoint(void)
{
    CHECK(gw_test_dir_make(&td, "reload_gate"));
    mock_upstream *m = mock_upstream_start();
    mock_reply held = {.status = 200, .delay_ms = 2500};
    mock_upstream_script(m, &held);
    char url[128];
    snprintf(url, sizeof url, "%s/old", mock_upstream_base(m));
    gw_test_hook_config(&td, url);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    port = pw_gw_server_port(s);
    CHECK_INT(post_event(1), 200);
    CHECK(mock_upstream_wait(m, 1, 20000)); /* event 1 at /old, its answer held */
    CHECK_INT(post_event(2), 200);          /* queued behind it: the old endpoint's backlog */

    snprintf(url, sizeof url, "%s/new", mock_upstream_base(m));
    gw_test_hook_config(&td, url);
    pthread_t t;
    pthread_create(&t, NULL, late_post, NULL);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    pthread_join(t, NULL);
    CHECK_INT(late_status, 200);
    pw_gw_server_settle_removed(s); /* as the main loop's sweep does */
    for (int i = 0; i < 200 && !sent_to(m, "/new", 99); i++)
        usleep(50000);
    pw_gw_server_stop(s);

    CHECK(sent_to(m, "/new", 99)); /* accepted under the new policy: delivered to /new */
    CHECK(!sent_to(m, "/new", 2)); /* the old backlog never reaches /new */
    CHECK(!sent_to(m, "/new", 1));
    CHECK_INT(gw_test_file_count(td.audit, "destination endpoint changed by a policy reload"), 1);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"dead\",\"event_id\":\"44444444-4444-4444-"
                                           "8444-000000000002\""),
              1);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"dead\",\"event_id\":\"44444444-4444-4444-"
                                           "8444-000000000099\""),
              0);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_new_event_waits_for_the_new_endpoint))
