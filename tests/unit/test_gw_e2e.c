/*
 * test_gw_e2e.c — the whole gateway in-process: HTTP front → policy with the real PHI engine →
 * SQLite spool → forwarders → loopback mocks of Meta CAPI, GA4 MP and a webhook → audit.
 * Asserts the exact post-policy payloads the mocks receive, the audit chain, /metrics, and an
 * atomic policy reload.
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

static gw_test_dir td;

static void write_config(const char *base, int with_ga4)
{
    FILE *f = fopen(td.config, "w");
    fprintf(f,
            "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: E2E_KEY\n"
            "destinations:\n"
            "  meta:\n    type: meta\n    pixel_id: \"42\"\n    access_token_env: E2E_TOKEN\n"
            "    base_url: %s\n    events: {appointment_request: Schedule}\n"
            "    allow_params: [value, note]\n    page_url: categories\n"
            "    page_categories: {\"/find-a-doctor*\": find_doctor}\n    default_category: other\n"
            "    user_data: [em]\n    first_party_id: hmac\n    phi: redact\n",
            base);
    if (with_ga4)
        fprintf(f,
                "  ga4:\n    type: ga4\n    measurement_id: G-E2E\n    api_secret_env: E2E_TOKEN\n"
                "    base_url: %s\n    events: {appointment_request: generate_lead}\n"
                "    allow_params: [value]\n    first_party_id: hmac\n",
                base);
    fprintf(f,
            "  hook:\n    type: webhook\n    url: %s/hook\n    events: {appointment_request: "
            "Schedule}\n",
            base);
    fclose(f);
}

static long post(unsigned port, const char *body, char *out, size_t cap)
{
    return gw_test_request(port, "/e", body, out, cap);
}

static const mock_request *find(mock_upstream *m, const char *prefix, size_t from)
{
    for (size_t i = from; i < mock_upstream_count(m); i++) {
        const mock_request *r = mock_upstream_request(m, i);
        if (strncmp(r->url, prefix, strlen(prefix)) == 0)
            return r;
    }
    return NULL;
}

#define EVENT(id)                                                                     \
    "{\"event_id\":\"" id "\",\"name\":\"appointment_request\",\"time\":%lld,"        \
    "\"page_url\":\"https://www.example-hospital.org/find-a-doctor/x?mrn=12345678\"," \
    "\"consent\":{\"ads\":true,\"analytics\":true},\"user\":{\"email\":\" "           \
    "Jane.Doe@Example.com\"},"                                                        \
    "\"fpid\":\"fp-1\",\"params\":{\"value\":100,\"note\":\"HIV follow-up\",\"x\":\"secret\"}}"

static void test_end_to_end(void)
{
    CHECK(gw_test_dir_make(&td, "e2e"));
    setenv("E2E_KEY", "0123456789abcdef-site-key", 1);
    setenv("E2E_TOKEN", "tok-SECRET-123", 1);
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
    char body[1024], reply[256] = "";
    snprintf(body, sizeof body, EVENT("11111111-2222-4333-8444-555555555555"),
             (long long)pw_gw_now_ms());
    CHECK_INT(post(port, body, reply, sizeof reply), 200);
    CHECK(strstr(reply, "\"queued\":3") != NULL);
    CHECK(mock_upstream_wait(m, 3, 60000)); /* returns once they came */

    const mock_request *meta = find(m, "/v21.0/42/events", 0);
    CHECK(meta != NULL);
    if (meta) {
        /* The exact event object, as the policy produced it. */
        CHECK(strstr(meta->body, "\"event_name\":\"Schedule\"") != NULL);
        CHECK(strstr(meta->body, "\"event_id\":\"11111111-2222-4333-8444-555555555555\"") != NULL);
        CHECK(strstr(meta->body, "\"event_source_url\":\"https://www.example-hospital.org/\"") !=
              NULL);
        CHECK(
            strstr(meta->body,
                   "\"em\":\"86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d\"") !=
            NULL);
        CHECK(strstr(meta->body, "\"content_category\":\"find_doctor\"") != NULL);
        CHECK(strstr(meta->body, "\"note\":\"[HEALTH] follow-up\"") != NULL);
        CHECK(strstr(meta->body, "12345678") == NULL);
        CHECK(strstr(meta->body, "secret") == NULL);
        CHECK(strstr(meta->body, "Jane") == NULL);
        CHECK(strstr(meta->body, "127.0.0.1") == NULL);
    }
    const mock_request *ga4 = find(m, "/mp/collect", 0);
    CHECK(ga4 != NULL);
    if (ga4) {
        CHECK(strstr(ga4->url, "measurement_id=G-E2E") != NULL);
        CHECK(strstr(ga4->body, "\"name\":\"generate_lead\"") != NULL);
        CHECK(strstr(ga4->body, "\"ad_user_data\":\"DENIED\"") != NULL);
        CHECK(strstr(ga4->body, "86e0b9e5") == NULL); /* no user data to Google */
        CHECK(strstr(ga4->body, "HIV") == NULL);
        /* Each platform gets its own pseudonym: Meta's external_id is not GA4's client_id. */
        const char *x = meta ? strstr(meta->body, "\"external_id\":\"") : NULL;
        CHECK(x != NULL);
        if (x) {
            char ext[65] = "";
            memcpy(ext, x + 15, 64);
            CHECK(strstr(ga4->body, ext) == NULL);
            CHECK(strstr(ga4->body, "\"client_id\":\"") != NULL);
        }
    }
    const mock_request *hook = find(m, "/hook", 0);
    CHECK(hook != NULL);
    if (hook)
        CHECK(strstr(hook->body, "\"name\":\"Schedule\"") != NULL);

    /* Reload without GA4: the next event goes to meta and hook only. */
    write_config(mock_upstream_base(m), 0);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    size_t before = mock_upstream_count(m);
    snprintf(body, sizeof body, EVENT("11111111-2222-4333-8444-666666666666"),
             (long long)pw_gw_now_ms());
    CHECK_INT(post(port, body, reply, sizeof reply), 200);
    CHECK(strstr(reply, "\"queued\":2") != NULL);
    CHECK(mock_upstream_wait(m, before + 2, 60000)); /* returns once they came */
    usleep(300000);
    CHECK(find(m, "/mp/collect", before) == NULL);
    /* A broken policy file is refused and the current policy stays. */
    FILE *f = fopen(td.config, "w");
    fputs("destinations: [\n", f);
    fclose(f);
    CHECK(pw_gw_server_reload(s, &err) != PW_OK);
    CHECK(strstr(err.msg, "gateway.yaml:") != NULL);
    snprintf(body, sizeof body, EVENT("11111111-2222-4333-8444-777777777777"),
             (long long)pw_gw_now_ms());
    CHECK_INT(post(port, body, reply, sizeof reply), 200);
    pw_gw_server_stop(s);

    /* The audit chain verifies and holds accepted, queued and sent records, no PHI. */
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(td.audit, &vr, &err), PW_OK);
    CHECK(vr.records >= 3 * 3 + 3);
    char *log = NULL;
    size_t n = 0;
    FILE *af = fopen(td.audit, "r");
    if (af) {
        log = calloc(1, 1 << 20);
        n = fread(log, 1, (1 << 20) - 1, af);
        fclose(af);
    }
    CHECK(n > 0);
    if (log) {
        CHECK(strstr(log, "\"sent\"") != NULL);
        CHECK(strstr(log, "HIV") == NULL);
        CHECK(strstr(log, "Jane") == NULL);
        CHECK(strstr(log, "12345678") == NULL);
        CHECK(strstr(log, "tok-SECRET") == NULL);
        free(log);
    }
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

/* A reload that points a destination at another endpoint: the backlog accepted for the old
 * recipient is dead-lettered ("endpoint changed"), never sent to the new one; new events are. */
static void write_hook_config(const char *url)
{
    FILE *f = fopen(td.config, "w");
    fprintf(f,
            "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: E2E_KEY\n"
            "destinations:\n"
            "  hook:\n    type: webhook\n    url: %s\n    events: {appointment_request: "
            "Schedule}\n    allow_params: [value]\n",
            url);
    fclose(f);
}

static void test_changed_endpoint_gets_no_backlog(void)
{
    CHECK(gw_test_dir_make(&td, "e2e"));
    setenv("E2E_KEY", "0123456789abcdef-site-key", 1);
    mock_upstream *m = mock_upstream_start();
    write_hook_config("http://127.0.0.1:9/old"); /* refuses: the rows stay queued */
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);
    char body[1024], reply[256] = "";
    snprintf(body, sizeof body, EVENT("22222222-2222-4333-8444-000000000001"),
             (long long)pw_gw_now_ms());
    CHECK_INT(post(port, body, reply, sizeof reply), 200);
    usleep(300000); /* a failed attempt: queued for a retry */

    char url[128];
    snprintf(url, sizeof url, "%s/new", mock_upstream_base(m));
    write_hook_config(url);
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    snprintf(body, sizeof body, EVENT("22222222-2222-4333-8444-000000000002"),
             (long long)pw_gw_now_ms());
    CHECK_INT(post(port, body, reply, sizeof reply), 200);
    CHECK(mock_upstream_wait(m, 1, 60000)); /* returns once they came */
    usleep(500000);
    for (size_t i = 0; i < mock_upstream_count(m); i++) {
        const char *b = mock_upstream_request(m, i)->body;
        CHECK(strstr(b, "22222222-2222-4333-8444-000000000001") == NULL); /* the old backlog */
        CHECK(strstr(b, "22222222-2222-4333-8444-000000000002") != NULL);
    }
    pw_gw_server_stop(s);
    char *log = calloc(1, 1 << 20);
    FILE *af = fopen(td.audit, "r");
    size_t n = af ? fread(log, 1, (1 << 20) - 1, af) : 0;
    if (af)
        fclose(af);
    CHECK(n > 0);
    CHECK(
        strstr(log, "\"action\":\"dead\",\"event_id\":\"22222222-2222-4333-8444-000000000001\"") !=
        NULL);
    CHECK(strstr(log, "destination endpoint changed by a policy reload") != NULL);
    free(log);
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(td.audit, &vr, &err), PW_OK);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_end_to_end), PW_TEST(test_changed_endpoint_gets_no_backlog))
