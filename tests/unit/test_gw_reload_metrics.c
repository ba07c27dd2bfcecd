/*
 * test_gw_reload_metrics.c — /metrics counters never go back during a reload. A reload starts
 * the new forwarders, then stops the old ones (waiting for a request they have in flight) and
 * only then carries their counters over; in between, /metrics showed the new forwarders' zeros
 * (phiwall_gateway_deliveries_total{outcome="failed"} 2 -> 0 -> 2): a counter reset for
 * Prometheus, a spike in every rate() over it. gateway_cli.sh saw it under valgrind.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

#define WAIT_MS 60000 /* what the test waits for: only a failing test reaches it */

static gw_test_dir td;

/* The value of a line of /metrics that starts with name, -1 when absent. */
static long long metric(unsigned port, const char *name)
{
    static char text[1 << 16];
    text[0] = '\0';
    if (gw_test_request(port, "/metrics", NULL, text, sizeof text) != 200)
        return -1;
    const char *p = strstr(text, name);
    return p ? atoll(p + strlen(name)) : -1;
}

typedef struct reloader {
    pw_gw_server *s;
    pw_status st;
    atomic_int done;
} reloader;

static void *reload_thread(void *arg)
{
    reloader *r = arg;
    pw_err err = {0};
    r->st = pw_gw_server_reload(r->s, &err);
    atomic_store(&r->done, 1);
    return NULL;
}

#define FAILED "phiwall_gateway_deliveries_total{destination=\"hook\",outcome=\"failed\"} "
#define SENT   "phiwall_gateway_deliveries_total{destination=\"hook\",outcome=\"sent\"} "

static void test_counters_monotonic_across_reload(void)
{
    CHECK(gw_test_dir_make(&td, "reloadm"));
    setenv("RELOADM_KEY", "0123456789abcdef-site-key", 1);
    mock_upstream *m = mock_upstream_start();
    FILE *f = fopen(td.config, "w");
    fprintf(f,
            "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: RELOADM_KEY\n"
            "destinations:\n"
            "  hook:\n    type: webhook\n    url: %s/hook\n    timeout_ms: 30000\n"
            "    events: {appointment_request: Schedule}\n",
            mock_upstream_base(m));
    fclose(f);
    /* Two failed attempts, then a third that is answered slowly (4 s: long enough for /metrics
     * to be read during the reload under valgrind): the reload comes while it is in flight, so
     * stopping the old forwarder takes that long. */
    mock_reply failed = {.status = 500, .body = "{}"};
    mock_reply slow = {.status = 200, .body = "{}", .delay_ms = 4000};
    mock_upstream_script(m, &failed);
    mock_upstream_script(m, &failed);
    mock_upstream_script(m, &slow);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);
    char reply[256] = "";
    CHECK_INT(gw_test_request(port, "/e",
                              "{\"event_id\":\"44444444-2222-4333-8444-000000000001\",\"name\":"
                              "\"appointment_request\",\"consent\":{\"ads\":true}}",
                              reply, sizeof reply),
              200);
    CHECK(mock_upstream_wait(m, 3, WAIT_MS)); /* the third attempt is in flight */
    CHECK_INT(metric(port, FAILED), 2);

    reloader r = {.s = s};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, reload_thread, &r), 0);
    long long low = 2, polls = 0;
    while (!atomic_load(&r.done)) { /* /metrics while the reload runs */
        long long v = metric(port, FAILED);
        if (v >= 0 && v < low)
            low = v;
        polls++;
    }
    pthread_join(t, NULL);
    CHECK_INT(r.st, PW_OK);
    CHECK(polls > 0);
    CHECK_INT(low, 2); /* never below what it had counted */
    CHECK_INT(metric(port, FAILED), 2);
    int64_t until = pw_gw_mono_ms() + WAIT_MS;
    while (metric(port, SENT) != 1 && pw_gw_mono_ms() < until)
        usleep(20000);
    CHECK_INT(metric(port, SENT), 1); /* the slow answer counted too, by the old forwarder */
    pw_gw_server_stop(s);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_counters_monotonic_across_reload))
