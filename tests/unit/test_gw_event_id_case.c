/*
 * test_gw_event_id_case.c — an event_id is a UUID, which RFC 9562 reads in either case: the
 * same event posted as "ABCD…" and again as "abcd…" is one event. It is folded to lower case at
 * ingest, so the spool's idempotency key and the event_id Meta deduplicates by (byte for byte)
 * agree: the second post is a duplicate, and the one delivery carries the lower-case id. Before,
 * the spool compared the bytes as posted: both were queued and both delivered, and Meta, which
 * compares the id exactly, counted two events. `phiwall audit list --event` finds the records in
 * either case.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "audit.h"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

#define UPPER "5A5B5C5D-AAAA-4BBB-8CCC-DDDDEEEEFFFF"
#define LOWER "5a5b5c5d-aaaa-4bbb-8ccc-ddddeeeeffff"

static unsigned port;

static long post_event(const char *id, char *reply, size_t cap)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"event_id\":\"%s\",\"name\":\"appointment_request\",\"time\":%lld,"
             "\"page_url\":\"https://www.example-hospital.org/a\","
             "\"consent\":{\"ads\":true,\"analytics\":true},\"params\":{\"value\":1}}",
             id, (long long)pw_gw_now_ms());
    return gw_test_request(port, "/e", body, reply, cap);
}

static int count_entry(const pw_audit_entry *e, void *ctx)
{
    (void)e;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t records_of(const char *audit, const char *id)
{
    pw_audit_filter f = {.event_id = id};
    size_t n = 0;
    CHECK_INT(pw_audit_list_file(audit, &f, count_entry, &n, NULL), PW_OK);
    return n;
}

static void test_case_variants_are_one_event(void)
{
    gw_test_dir td;
    CHECK(gw_test_dir_make(&td, "eid_case"));
    mock_upstream *m = mock_upstream_start();
    pw_gw_server *s = gw_test_hook_server(&td, m, "/hook");
    CHECK(s != NULL);
    if (!s)
        return;
    port = pw_gw_server_port(s);
    char reply[4096];
    CHECK_INT(post_event(UPPER, reply, sizeof reply), 200);
    CHECK(strstr(reply, "\"queued\":1") != NULL);
    CHECK(mock_upstream_wait(m, 1, 20000));
    CHECK_INT(post_event(LOWER, reply, sizeof reply), 200); /* the same event again */
    CHECK(strstr(reply, "\"duplicate\":1") != NULL);
    CHECK(strstr(reply, "\"queued\":0") != NULL);
    usleep(300000); /* a second delivery would be under way by now */
    pw_gw_server_stop(s);

    CHECK_INT(mock_upstream_count(m), 1);
    const mock_request *r = mock_upstream_request(m, 0);
    CHECK(r && r->body && strstr(r->body, LOWER) != NULL && strstr(r->body, UPPER) == NULL);
    CHECK_INT(gw_test_file_count(td.audit, UPPER), 0); /* recorded in canonical form only */
    size_t n = records_of(td.audit, LOWER);
    CHECK(n >= 3); /* accepted, queued, sent (and the duplicate) */
    CHECK_INT(records_of(td.audit, UPPER), n);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_case_variants_are_one_event))
