/* test_gw_spool_layout.c — the SQLite spool's layout (version 4: a row per event, one body per
 * group commit, the first attempt that may have reached the upstream in `retry`): a version-1
 * file (one `spool` row per event and destination), a version-2 file (a body per event) and a
 * version-3 file (no retry.first_ms) are migrated on open with nothing lost; a file from a newer
 * layout is refused with an error naming it; several destinations of one event share a row while a
 * later destination of the same event still gets spooled; the events of one commit share one body,
 * which goes with the last of them; tombstones past the idempotency horizon are purged and the
 * byte count agrees with a fresh count on reopen. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_time.h"
#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"

static int exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static long long scalar(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Write an older layout's file with sql and open it (migrated): the spool, NULL if refused. */
static pw_spool *open_old(char *path, size_t cap, const char *tag, const char *sql)
{
    gw_test_db_path(path, cap, "pw_spool_layout", tag);
    CHECK_INT(exec(path, sql), SQLITE_OK);
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    pw_err err = {0};
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_OK);
    if (!s)
        fprintf(stderr, "open: %s\n", err.msg);
    return s;
}

/* The version-1 layout as phiwall wrote it, with: two queued rows of one event, one retried
 * row due now, one delivered tombstone and one dead letter. */
static const char V1[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE spool(id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, destination TEXT NOT NULL,"
    " payload BLOB, created_ms INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    " lease_until INTEGER NOT NULL DEFAULT 0, done_ms INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(event_id, destination));"
    "CREATE INDEX spool_due ON spool(destination, state, next_attempt_ms);"
    "CREATE TABLE dead(id INTEGER PRIMARY KEY, spool_id INTEGER NOT NULL, event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL, payload BLOB, created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL, dead_ms INTEGER NOT NULL, reason TEXT NOT NULL);"
    "INSERT INTO spool(event_id, destination, payload, created_ms) VALUES"
    " ('q1', 'meta', '{\"m\":1}', 1000), ('q1', 'ga4', '{\"g\":1}', 1000);"
    "INSERT INTO spool(event_id, destination, payload, created_ms, attempts, next_attempt_ms)"
    " VALUES ('r1', 'meta', '{\"m\":2}', 2000, 3, 5);"
    "INSERT INTO spool(event_id, destination, payload, created_ms, state, done_ms)"
    " VALUES ('d1', 'meta', NULL, 3000, 1, 4000), ('x1', 'meta', NULL, 3000, 2, 4000);"
    "INSERT INTO dead(spool_id, event_id, destination, payload, created_ms, attempts, dead_ms,"
    " reason) VALUES (5, 'x1', 'meta', '{\"x\":1}', 3000, 2, 4000, 'graph code 100');";

static void test_version1_file_is_migrated(void)
{
    char path[256];
    pw_spool *s = open_old(path, sizeof path, "v1", V1);
    if (!s)
        return;
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, 2); /* q1 and the retried r1, due now */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].event_id, "r1") == 0) {
            CHECK_STR(items[i].payload, "{\"m\":2}");
            CHECK_INT(items[i].attempts, 4); /* three attempts made before */
            CHECK_INT(items[i].created_ms, 2000);
            CHECK_INT(items[i].sent_ms, 2000); /* unknown: the acceptance stands for it */
        } else {
            CHECK_STR(items[i].event_id, "q1");
            CHECK_STR(items[i].payload, "{\"m\":1}");
            CHECK_INT(items[i].attempts, 1);
        }
    }
    pw_spool_items_free(items, n);
    CHECK_INT(pw_spool_lease(s, "ga4", 10, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(items[0].payload, "{\"g\":1}");
    pw_spool_items_free(items, n);
    int state = -1;
    CHECK_INT(pw_spool_state(s, "d1", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    CHECK_INT(pw_spool_state(s, "x1", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DEAD);
    /* The tombstone still makes a repeat a no-op. */
    pw_spool_put_item again = {"d1", "meta", "{}", 2, 0, 0};
    CHECK_INT(pw_spool_put(s, &again, 1, NULL), PW_OK);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 2);
    CHECK_INT(st.dead, 1);
    CHECK_INT(st.oldest_ms, 1000);
    pw_spool_close(s);
    CHECK_INT(scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'spool'"), 0);
    CHECK_INT(scalar(path, "PRAGMA user_version"), 4);
    gw_test_db_remove(path);
}

/* The version-2 layout as phiwall wrote it (destinations meta = 1, ga4 = 2): v2a queued for both,
 * v2b delivered (a tombstone, no body), v2c queued for meta; each body holds its own row's
 * payloads. */
static const char V2[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE ev(id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL,"
    " pending INTEGER NOT NULL, dests BLOB NOT NULL, event_id TEXT NOT NULL);"
    "CREATE TABLE body(id INTEGER PRIMARY KEY, payloads BLOB NOT NULL);"
    "CREATE TABLE dest(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE retry(item INTEGER PRIMARY KEY, dest INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL, attempts INTEGER NOT NULL);"
    "CREATE INDEX retry_due ON retry(dest, next_attempt_ms);"
    "CREATE TABLE dead(id INTEGER PRIMARY KEY, spool_id INTEGER NOT NULL, event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL, payload BLOB, created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL, dead_ms INTEGER NOT NULL, reason TEXT NOT NULL);"
    "CREATE INDEX dead_key ON dead(event_id, destination);"
    "INSERT INTO dest VALUES (1, 'meta'), (2, 'ga4');"
    "INSERT INTO ev VALUES (1, 1000, 4611686018427387907, X'010007000000020008000000', 'v2a'),"
    " (2, 2000, 4611686018427387904, X'010007000000', 'v2b'),"
    " (3, 3000, 4611686018427387905, X'010007000000', 'v2c');"
    "INSERT INTO body VALUES (1, CAST('{\"m\":1}{\"g\":22}' AS BLOB)),"
    " (3, CAST('{\"m\":3}' AS BLOB));"
    "PRAGMA user_version = 2;";

/* Lease up to 10 items of dest, check their payloads against want (n of them, in order), and
 * ack them all. */
static void lease_check_ack(pw_spool *s, const char *dest, const char *const *want, size_t n_want)
{
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, dest, 10, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, n_want);
    int64_t ids[10];
    for (size_t i = 0; i < n && i < n_want; i++) {
        CHECK_STR(items[i].payload, want[i]);
        ids[i] = items[i].id;
    }
    if (n)
        CHECK_INT(pw_spool_ack(s, ids, n, NULL), PW_OK);
    pw_spool_items_free(items, n);
}

static uint64_t spool_bytes(pw_spool *s)
{
    pw_spool_stats st = {0};
    CHECK_INT(pw_spool_stats_get(s, NULL, &st, NULL), PW_OK);
    return st.bytes;
}

static void test_version2_file_is_migrated(void)
{
    char path[256];
    pw_spool *s = open_old(path, sizeof path, "v2", V2);
    if (!s)
        return;
    CHECK_INT(scalar(path, "PRAGMA user_version"), 4);
    uint64_t bytes = spool_bytes(s);
    /* queued: 3 items (key + name + 64), 1 tombstone (key + name + 32), bodies 15 + 7 bytes */
    CHECK_INT((long long)bytes, 3 * 3 + 4 + 4 + 3 + 3 * 64 + 3 + 4 + 32 + 15 + 7);
    int state = -1;
    CHECK_INT(pw_spool_state(s, "v2b", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    pw_spool_put_item again = {"v2a", "meta", "{}", 2, 0, 0}; /* still known: a no-op */
    CHECK_INT(pw_spool_put(s, &again, 1, NULL), PW_OK);
    pw_spool_close(s);
    pw_spool_opts o = {.path = path};
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK); /* reopened as version 4: counted alike */
    if (!s)
        return;
    CHECK_INT((long long)spool_bytes(s), (long long)bytes);
    const char *meta[2] = {"{\"m\":1}", "{\"m\":3}"}, *ga4[1] = {"{\"g\":22}"};
    lease_check_ack(s, "meta", meta, 2);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 1); /* v2a's, its ga4 item queued */
    lease_check_ack(s, "ga4", ga4, 1);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* The version-3 layout as phiwall wrote it (destination meta = 1): v3a was tried twice (a retry
 * row with attempts 2: an attempt that may have reached Meta), v3b only met refusals of the
 * credentials (attempts 0: put back), v3c was never leased; the three rows of one group commit
 * share one body. */
static const char V3[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE ev(id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL,"
    " pending INTEGER NOT NULL, dests BLOB NOT NULL, event_id TEXT NOT NULL, grp INTEGER,"
    " off INTEGER);"
    "CREATE TABLE body(id INTEGER PRIMARY KEY, payloads BLOB NOT NULL);"
    "CREATE TABLE dest(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE retry(item INTEGER PRIMARY KEY, dest INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL, attempts INTEGER NOT NULL);"
    "CREATE INDEX retry_due ON retry(dest, next_attempt_ms);"
    "CREATE TABLE dead(id INTEGER PRIMARY KEY, spool_id INTEGER NOT NULL, event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL, payload BLOB, created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL, dead_ms INTEGER NOT NULL, reason TEXT NOT NULL);"
    "CREATE INDEX dead_key ON dead(event_id, destination);"
    "INSERT INTO dest VALUES (1, 'meta');"
    "INSERT INTO ev VALUES (1, 1000, 4611686018427387905, X'010007000000', 'v3a', NULL, NULL),"
    " (2, 2000, 4611686018427387905, X'010007000000', 'v3b', 1, 7),"
    " (3, 3000, 4611686018427387905, X'010007000000', 'v3c', 1, 14);"
    "INSERT INTO body VALUES (1, CAST('{\"m\":1}{\"m\":2}{\"m\":3}' AS BLOB));"
    "INSERT INTO retry VALUES (64, 1, 5, 2), (128, 1, 6, 0);"
    "PRAGMA user_version = 3;";

/* Lease every due item of meta: sent_ms of v3a, v3b, v3c into sent[0..2], attempts likewise. */
static void lease_v3(pw_spool *s, int64_t sent[3], int attempts[3], int64_t ids[3])
{
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++) {
        int k = items[i].event_id[2] - 'a';
        CHECK(k >= 0 && k < 3);
        if (k < 0 || k >= 3)
            continue;
        CHECK_STR(items[i].payload, k == 0 ? "{\"m\":1}" : k == 1 ? "{\"m\":2}" : "{\"m\":3}");
        sent[k] = items[i].sent_ms;
        attempts[k] = items[i].attempts;
        ids[k] = items[i].id;
    }
    pw_spool_items_free(items, n);
}

/* Version 3 → 4: the retry window now counts from the first attempt that may have reached the
 * upstream (retry.first_ms). A version-3 row tried before gets its acceptance time (the window
 * closes when it did before), one that only met refusals none (its window has not begun), and
 * a later failure does not move a first attempt the row already has. */
static void test_version3_file_is_migrated(void)
{
    char path[256];
    pw_spool *s = open_old(path, sizeof path, "v3", V3);
    if (!s)
        return;
    CHECK_INT(scalar(path, "PRAGMA user_version"), 4);
    CHECK_INT(scalar(path, "SELECT first_ms FROM retry WHERE item = 64"), 1000);
    CHECK_INT(scalar(path, "SELECT first_ms FROM retry WHERE item = 128"), 0);
    /* The write order of marks and retry rows (spool_sqlite_mark.c): 0 for the rows before it. */
    CHECK_INT(scalar(path, "SELECT count(*) FROM retry WHERE seq = 0"), 2);
    CHECK_INT(scalar(path, "SELECT count(*) FROM pragma_table_info('sending') WHERE name = 'seq'"),
              1);
    int64_t sent[3] = {-1, -1, -1}, ids[3] = {0};
    int attempts[3] = {0};
    lease_v3(s, sent, attempts, ids);
    CHECK_INT(sent[0], 1000);
    CHECK_INT(attempts[0], 3);
    CHECK_INT(sent[1], 0);
    CHECK_INT(attempts[1], 1);
    CHECK_INT(sent[2], 0);
    CHECK_INT(attempts[2], 1);
    /* All three fail (a 5xx): v3a keeps its first attempt, the others' begins with this one. */
    int64_t before = pw_gw_now_ms();
    CHECK_INT(pw_spool_retry_batch(s, ids, 3, 0, NULL), PW_OK);
    CHECK_INT(scalar(path, "SELECT count(*) FROM retry WHERE seq > 0"), 3);
    lease_v3(s, sent, attempts, ids);
    CHECK_INT(sent[0], 1000);
    CHECK_INT(attempts[0], 4);
    CHECK(sent[1] > 0 && sent[1] <= before);
    CHECK(sent[2] > 0 && sent[2] <= before);
    CHECK(sent[1] >= before - 60000);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* One commit of three events: one body, kept until the last of its items is settled (here a
 * dead letter, which gets its own copy of the payload), counted alike on reopen. */
static void test_group_body(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool_layout", "group");
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    pw_spool_put_item items[6] = {
        {"g1", "meta", "{\"a\":1}", 7, 0, 0},   {"g1", "ga4", "{\"b\":1}", 7, 0, 0},
        {"g2", "meta", "{\"a\":22}", 8, 0, 0},  {"g2", "ga4", "{\"b\":22}", 8, 0, 0},
        {"g3", "meta", "{\"a\":333}", 9, 0, 0}, {"g3", "ga4", "{\"b\":333}", 9, 0, 0}};
    CHECK_INT(pw_spool_put(s, items, 6, NULL), PW_OK);
    CHECK_INT(scalar(path, "SELECT count(*) FROM ev"), 3);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 1);
    const char *meta[3] = {"{\"a\":1}", "{\"a\":22}", "{\"a\":333}"};
    lease_check_ack(s, "meta", meta, 3);
    pw_spool_item *ga4 = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "ga4", 2, 60000, &ga4, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    int64_t ids[2] = {n > 0 ? ga4[0].id : 0, n > 1 ? ga4[1].id : 0};
    CHECK_INT(pw_spool_ack(s, ids, 2, NULL), PW_OK);
    pw_spool_items_free(ga4, n);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 1); /* g3's ga4 item still queued */
    uint64_t bytes = spool_bytes(s);
    pw_spool_close(s);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    CHECK_INT((long long)spool_bytes(s), (long long)bytes);
    CHECK_INT(pw_spool_lease(s, "ga4", 10, 60000, &ga4, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(ga4[0].payload, "{\"b\":333}");
        CHECK_INT(pw_spool_dead(s, ga4[0].id, "test", NULL), PW_OK);
    }
    pw_spool_items_free(ga4, n);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 0);
    bytes = spool_bytes(s);
    pw_spool_close(s);
    CHECK_INT(scalar(path, "SELECT count(*) FROM dead WHERE payload = CAST('{\"b\":333}' AS BLOB)"),
              1);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (s) {
        CHECK_INT((long long)spool_bytes(s), (long long)bytes);
        pw_spool_close(s);
    }
    gw_test_db_remove(path);
}

static void test_newer_layout_is_refused(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool_layout", "v9");
    CHECK_INT(exec(path, "CREATE TABLE future(x); PRAGMA user_version = 9;"), SQLITE_OK);
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    pw_err err = {0};
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_ERR_UNSUPPORTED);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(strstr(err.msg, "newer") != NULL);
    gw_test_db_remove(path);
}

static void test_event_row_and_late_destination(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool_layout", "row");
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    pw_spool_put_item two[3] = {{"e1", "meta", "{\"a\":1}", 7, 0, 0},
                                {"e1", "ga4", "{\"b\":22}", 8, 0, 0},
                                {"e1", "meta", "{\"a\":9}", 7, 0, 0}}; /* repeated: first kept */
    CHECK_INT(pw_spool_put(s, two, 3, NULL), PW_OK);
    char long_id[1100];
    memset(long_id, 'k', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    pw_spool_put_item too_long = {long_id, "meta", "{}", 2, 0, 0};
    CHECK_INT(pw_spool_put(s, &too_long, 1, NULL), PW_ERR_INVALID);
    pw_spool_put_item late = {"e1", "hook", "{\"c\":3}", 7, 0, 0};
    CHECK_INT(pw_spool_put(s, &late, 1, NULL), PW_OK);
    CHECK_INT(pw_spool_put(s, &late, 1, NULL), PW_OK);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, NULL, &st, NULL), PW_OK);
    CHECK_INT(st.depth, 3);
    const char *dests[3] = {"meta", "ga4", "hook"},
               *want[3] = {"{\"a\":1}", "{\"b\":22}", "{\"c\":3}"};
    for (int i = 0; i < 3; i++) {
        pw_spool_item *items = NULL;
        size_t n = 0;
        CHECK_INT(pw_spool_lease(s, dests[i], 10, 60000, &items, &n, NULL), PW_OK);
        CHECK_INT(n, 1);
        if (n == 1) {
            CHECK_STR(items[0].payload, want[i]);
            CHECK_STR(items[0].destination, dests[i]);
            CHECK_INT(pw_spool_ack(s, &items[0].id, 1, NULL), PW_OK);
        }
        pw_spool_items_free(items, n);
    }
    pw_spool_close(s);
    /* The first put is one event row for two destinations, the late one a second row. */
    CHECK_INT(scalar(path, "SELECT count(*) FROM ev"), 2);
    CHECK_INT(scalar(path, "SELECT count(*) FROM body"), 0); /* all delivered: payloads gone */
    gw_test_db_remove(path);
}

/* Old tombstones go once 1000 acks have come; the last row stays (rowids never reused). */
static void test_old_tombstones_are_purged(void)
{
    char path[256], id[32];
    gw_test_db_path(path, sizeof path, "pw_spool_layout", "purge");
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    int64_t old = pw_gw_now_ms() - 20 * 60 * 1000;
    enum { N = 1500 };
    pw_spool_put_item *items = calloc(N, sizeof *items);
    char(*ids)[32] = calloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "old%d", i);
        items[i] = (pw_spool_put_item){ids[i], "meta", "{}", 2, old, 0};
    }
    CHECK_INT(pw_spool_put(s, items, N, NULL), PW_OK);
    pw_spool_put_item young = {"young", "meta", "{\"y\":1}", 7, 0, 0};
    CHECK_INT(pw_spool_put(s, &young, 1, NULL), PW_OK);
    for (int round = 0; round < 4; round++) {
        pw_spool_item *leased = NULL;
        size_t n = 0;
        CHECK_INT(pw_spool_lease(s, "meta", 1000, 60000, &leased, &n, NULL), PW_OK);
        int64_t *acks = calloc(n + 1, sizeof *acks);
        for (size_t i = 0; i < n; i++)
            acks[i] = leased[i].id;
        CHECK_INT(pw_spool_ack(s, acks, n, NULL), PW_OK);
        free(acks);
        pw_spool_items_free(leased, n);
    }
    int state = -1;
    CHECK_INT(pw_spool_state(s, "old5", "meta", &state, NULL), PW_ERR_NOTFOUND); /* purged */
    CHECK_INT(pw_spool_state(s, "young", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    pw_spool_stats before, after;
    CHECK_INT(pw_spool_stats_get(s, NULL, &before, NULL), PW_OK);
    CHECK_INT(before.depth, 0);
    pw_spool_close(s);
    CHECK(scalar(path, "SELECT count(*) FROM ev") < N / 2);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (s) {
        CHECK_INT(pw_spool_stats_get(s, NULL, &after, NULL), PW_OK);
        CHECK_INT((long long)after.bytes, (long long)before.bytes); /* counted alike both ways */
        snprintf(id, sizeof id, "old%d", N - 1);
        young = (pw_spool_put_item){id, "meta", "{}", 2, 0, 0}; /* beyond the horizon: new again */
        CHECK_INT(pw_spool_put(s, &young, 1, NULL), PW_OK);
        CHECK_INT(pw_spool_stats_get(s, "meta", &after, NULL), PW_OK);
        CHECK_INT(after.depth, 1);
        pw_spool_close(s);
    }
    free(items);
    free(ids);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_version1_file_is_migrated), PW_TEST(test_version2_file_is_migrated),
             PW_TEST(test_version3_file_is_migrated), PW_TEST(test_group_body),
             PW_TEST(test_newer_layout_is_refused), PW_TEST(test_event_row_and_late_destination),
             PW_TEST(test_old_tombstones_are_purged))
