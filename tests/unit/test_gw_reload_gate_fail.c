/*
 * test_gw_reload_gate_fail.c — a reload that moves a destination to another endpoint fails
 * while it records the destination as gated in the spool (its last step that can fail, before
 * ingest switches): the reload is reported failed, the policy and the forwarders in force stay,
 * the old queue is neither dead-lettered nor sent to the new endpoint, every event is delivered
 * once to the old one, and no gate row is left behind. The failure is injected with a trigger
 * on the spool's `gate` table that aborts every insert (SQLite's own RAISE): the write fails
 * the way a refused disk write does, and nothing else of the spool is touched. Dropping the
 * trigger lets the next reload go through.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_fwenv.h"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "pw_test.h"

static gw_test_dir td;

#define ID "66666666-2222-4333-8444-%012d"

static long post(unsigned port, int n, char *reply, size_t cap)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"event_id\":\"" ID "\",\"name\":\"appointment_request\",\"time\":%lld,"
             "\"page_url\":\"https://www.example-hospital.org/a\",\"consent\":{\"ads\":true},"
             "\"params\":{\"value\":1}}",
             n, (long long)pw_gw_now_ms());
    return gw_test_request(port, "/e", body, reply, cap);
}

/* Run sql on the spool's file from a connection of the test's own; 1 when it did. */
static int spool_sql(const char *sql)
{
    sqlite3 *db = NULL;
    int ok = sqlite3_open(td.spool, &db) == SQLITE_OK;
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    ok = ok && sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;
    if (msg)
        fprintf(stderr, "sqlite: %s\n", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
    return ok;
}

static int gate_rows(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_open(td.spool, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM gate", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Requests to a url starting with path that carried event n. */
static int sent_to(mock_upstream *m, const char *path, int n)
{
    char id[64];
    snprintf(id, sizeof id, ID, n);
    int k = 0;
    for (size_t i = 0; i < mock_upstream_count(m); i++) {
        const mock_request *r = mock_upstream_request(m, i);
        k += strcmp(r->url, path) == 0 && r->body && strstr(r->body, id);
    }
    return k;
}

static size_t audit_count(const char *action, int n)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"action\":\"%s\",\"event_id\":\"" ID "\"", action, n);
    return count_records(td.audit, needle);
}

/* Wait until the audit log has a `sent` record of event n; 1 when it did. */
static int delivered(int n)
{
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (!audit_count("sent", n) && pw_gw_mono_ms() < until)
        usleep(5000);
    return audit_count("sent", n) == 1;
}

static void test_failed_gate_write_keeps_everything(void)
{
    CHECK(gw_test_dir_make(&td, "reload_gate_fail"));
    mock_upstream *m = mock_upstream_start();
    pw_err err = {0};
    pw_gw_server *s = gw_test_hook_server(&td, m, "/old");
    CHECK(s != NULL);
    if (!s)
        return;
    unsigned port = pw_gw_server_port(s);
    char reply[1 << 16];
    /* Event 1 is queued for /old: its first attempt refused, retried in 0.5-1 s. */
    mock_reply refused = {.status = 503};
    mock_upstream_script(m, &refused);
    CHECK_INT(post(port, 1, reply, sizeof reply), 200);
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    while (!audit_count("retry", 1) && pw_gw_mono_ms() < until)
        usleep(2000);
    CHECK_INT(audit_count("retry", 1), 1);

    /* Every write of a gate row fails; the new policy moves the hook to /new. */
    CHECK(spool_sql("CREATE TABLE IF NOT EXISTS gate(dest TEXT PRIMARY KEY, upto INTEGER NOT NULL);"
                    "CREATE TRIGGER gate_refused BEFORE INSERT ON gate "
                    "BEGIN SELECT RAISE(ABORT, 'injected: the gate row is refused'); END;"));
    gw_test_hook_move(&td, m, "/new");
    mock_reply ok = {.status = 200};
    mock_upstream_script(m, &ok);
    CHECK(pw_gw_server_reload(s, &err) != PW_OK);
    CHECK(strstr(err.msg, "recording the gated destinations") != NULL);
    CHECK(strstr(err.msg, "injected") != NULL);

    /* The old policy serves: a new event goes to /old, and so does the old queue's event 1. */
    CHECK_INT(post(port, 3, reply, sizeof reply), 200);
    CHECK(delivered(1));
    CHECK(delivered(3));
    CHECK_INT(gw_test_request(port, "/metrics", NULL, reply, sizeof reply), 200);
    CHECK(strstr(reply, "phiwall_gateway_policy_reloads_total{result=\"failed\"} 1") != NULL);
    CHECK(strstr(reply, "phiwall_gateway_delivery_gated{destination=\"hook\"} 0") != NULL);
    CHECK_INT(gate_rows(), 0);

    /* Without the fault the same reload goes through: new events go to /new. */
    CHECK(spool_sql("DROP TRIGGER gate_refused"));
    CHECK_INT(pw_gw_server_reload(s, &err), PW_OK);
    pw_gw_server_settle_removed(s); /* as the main loop's sweep does: opens the gate */
    CHECK_INT(post(port, 4, reply, sizeof reply), 200);
    CHECK(delivered(4));
    pw_gw_server_stop(s);

    /* Nothing lost, nothing sent twice, nothing to the wrong endpoint. */
    CHECK_INT(sent_to(m, "/old", 1), 2); /* the refused attempt, then the delivery */
    CHECK_INT(sent_to(m, "/old", 3), 1);
    CHECK_INT(sent_to(m, "/new", 1) + sent_to(m, "/new", 3), 0);
    CHECK_INT(sent_to(m, "/new", 4), 1);
    CHECK_INT(sent_to(m, "/old", 4), 0);
    CHECK_INT(count_records(td.audit, "\"action\":\"dead\""), 0);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(td.audit, &res, NULL), PW_OK);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_failed_gate_write_keeps_everything))
