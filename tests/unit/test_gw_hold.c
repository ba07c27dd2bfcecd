/*
 * test_gw_hold.c — a delivery hold (policy `hold: true`) in the whole gateway: events for the
 * held destination are accepted, spooled and audited "queued", the loopback mock receives
 * nothing for it while the other destination is served, /metrics shows the hold; a reload
 * without the hold delivers the backlog, every event exactly once.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "audit.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

#define N_EVENTS 30

static gw_test_dir td;

static void write_config(const char *base, int hold)
{
    FILE *f = fopen(td.config, "w");
    fprintf(f,
            "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: HOLD_KEY\n"
            "destinations:\n"
            "  meta:\n    type: meta\n    pixel_id: \"42\"\n    access_token_env: HOLD_TOKEN\n"
            "    base_url: %s\n    events: {appointment_request: Schedule}\n"
            "    allow_params: [value]\n    first_party_id: hmac\n%s"
            "  hook:\n    type: webhook\n    url: %s/hook\n"
            "    events: {appointment_request: Schedule}\n",
            base, hold ? "    hold: true\n" : "", base);
    fclose(f);
}

static size_t count_prefix(mock_upstream *m, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < mock_upstream_count(m); i++)
        n += strncmp(mock_upstream_request(m, i)->url, prefix, strlen(prefix)) == 0;
    return n;
}

/* How many times event_id occurs in the bodies of the requests to prefix. */
static size_t occurrences(mock_upstream *m, const char *prefix, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < mock_upstream_count(m); i++) {
        const mock_request *r = mock_upstream_request(m, i);
        if (strncmp(r->url, prefix, strlen(prefix)) != 0)
            continue;
        for (const char *p = strstr(r->body, id); p; p = strstr(p + 1, id))
            n++;
    }
    return n;
}

/* The events in the bodies of the requests to prefix so far. */
static size_t events_to(mock_upstream *m, const char *prefix)
{
    return occurrences(m, prefix, "\"event_id\":");
}

/* Wait until prefix has received n events (60 s at most: only a failing test waits that long). */
static void wait_events(mock_upstream *m, const char *prefix, size_t n)
{
    for (int64_t until = pw_gw_mono_ms() + 60000;
         events_to(m, prefix) < n && pw_gw_mono_ms() < until;)
        usleep(50000);
}

/* Wait until /metrics on port has the line want (60 s at most); 1 when it has. The mock logs a
 * request before the gateway has its answer, acks the rows and counts them out of the depth: a
 * fixed wait after the mock saw the last event is a guess a loaded machine can overrun. */
static int wait_metric(unsigned port, const char *want)
{
    static char metrics[1 << 16];
    for (int64_t until = pw_gw_mono_ms() + 60000;; usleep(20000)) {
        metrics[0] = '\0';
        if (gw_test_request(port, "/metrics", NULL, metrics, sizeof metrics) == 200 &&
            strstr(metrics, want))
            return 1;
        if (pw_gw_mono_ms() >= until)
            return 0;
    }
}

static void event_id(char *out, size_t cap, int i)
{
    snprintf(out, cap, "33333333-2222-4333-8444-%012d", i);
}

static void test_hold_then_release(void)
{
    CHECK(gw_test_dir_make(&td, "hold"));
    setenv("HOLD_KEY", "0123456789abcdef-site-key", 1);
    setenv("HOLD_TOKEN", "tok-SECRET-123", 1);
    setenv("PHIWALL_HEALTHZ_MAX_AGE_S", "1", 1); /* a held queue's age must not count */
    mock_upstream *m = mock_upstream_start();
    write_config(mock_upstream_base(m), 1);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);
    char body[512], reply[256], id[64];
    for (int i = 0; i < N_EVENTS; i++) {
        event_id(id, sizeof id, i);
        snprintf(body, sizeof body,
                 "{\"event_id\":\"%s\",\"name\":\"appointment_request\",\"time\":%lld,"
                 "\"consent\":{\"ads\":true},\"fpid\":\"fp-1\","
                 "\"params\":{\"value\":%d}}",
                 id, (long long)pw_gw_now_ms(), i);
        reply[0] = '\0';
        CHECK_INT(gw_test_request(port, "/e", body, reply, sizeof reply), 200);
        CHECK(strstr(reply, "\"queued\":2") != NULL); /* accepted for both */
    }
    /* The unheld destination gets everything; the held one nothing. */
    wait_events(m, "/hook", N_EVENTS);
    CHECK(wait_metric(port, "phiwall_gateway_spool_depth{destination=\"hook\"} 0\n"));
    usleep(500000); /* a send to the held one would come now */
    CHECK_INT(events_to(m, "/hook"), N_EVENTS);
    CHECK_INT(count_prefix(m, "/v21.0/"), 0);
    static char metrics[1 << 16];
    CHECK_INT(gw_test_request(port, "/metrics", NULL, metrics, sizeof metrics), 200);
    CHECK(strstr(metrics, "phiwall_gateway_delivery_held{destination=\"meta\"} 1\n") != NULL);
    CHECK(strstr(metrics, "phiwall_gateway_delivery_held{destination=\"hook\"} 0\n") != NULL);
    CHECK(strstr(metrics, "phiwall_gateway_spool_depth{destination=\"meta\"} 30\n") != NULL);
    CHECK(strstr(metrics, "phiwall_gateway_spool_depth{destination=\"hook\"} 0\n") != NULL);
    usleep(1100000); /* the held events are now older than the health limit */
    char health[512] = "";
    CHECK_INT(gw_test_request(port, "/healthz", NULL, health, sizeof health), 200);

    /* Lift the hold: the backlog goes out, each event once. */
    write_config(mock_upstream_base(m), 0);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    wait_events(m, "/v21.0/42/events", N_EVENTS);
    CHECK(wait_metric(port, "phiwall_gateway_spool_depth{destination=\"meta\"} 0\n"));
    usleep(500000); /* a duplicate would come now */
    CHECK_INT(events_to(m, "/v21.0/42/events"), N_EVENTS);
    for (int i = 0; i < N_EVENTS; i++) {
        event_id(id, sizeof id, i);
        CHECK_INT(occurrences(m, "/v21.0/42/events", id), 1);
        CHECK_INT(occurrences(m, "/hook", id), 1);
    }
    CHECK_INT(gw_test_request(port, "/metrics", NULL, metrics, sizeof metrics), 200);
    CHECK(strstr(metrics, "phiwall_gateway_delivery_held{destination=\"meta\"} 0\n") != NULL);
    CHECK(strstr(metrics, "phiwall_gateway_spool_depth{destination=\"meta\"} 0\n") != NULL);
    pw_gw_server_stop(s);

    /* The audit log: each meta event queued at ingest and sent after the release. */
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(td.audit, &vr, &err), PW_OK);
    char *log = calloc(1, 1 << 20);
    FILE *af = fopen(td.audit, "r");
    size_t n = af ? fread(log, 1, (1 << 20) - 1, af) : 0;
    if (af)
        fclose(af);
    CHECK(n > 0);
    size_t queued = 0, sent = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, "\"destination\":\"meta\""))
            continue;
        queued += strstr(line, "\"action\":\"queued\"") != NULL;
        sent += strstr(line, "\"action\":\"sent\"") != NULL;
    }
    CHECK_INT(queued, N_EVENTS);
    CHECK_INT(sent, N_EVENTS);
    free(log);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_hold_then_release))
